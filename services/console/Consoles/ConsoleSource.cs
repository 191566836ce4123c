using Micro.Protocol.Os;
using Micro.Protocol.Rings;
using Micro.Protocol.Xen;

namespace Micro.Console.Consoles;

/// <summary>
/// One byte source of a domain's console: a xencons_interface page in shared memory, the eventfd its writer
/// kicks after producing output or consuming input (<see cref="Kick"/>), and the eventfd this daemon signals
/// after consuming output or producing input (<see cref="Notify"/>), as xenconsoled notifies its event channel.
///
/// Output is read in two steps so that the log can be written before the guest may reuse the bytes:
/// <see cref="PeekOutput"/> copies from the consumer index without moving it, <see cref="CommitOutput"/>
/// publishes the new index. The page is never trusted: every index pair is validated (through
/// <see cref="ByteRing"/>), and a consumer index that changed under us is a fault too.
/// </summary>
public sealed unsafe class ConsoleSource : IDisposable
{
    private readonly SharedMemory _memory;
    private readonly XenConsInterface* _page;
    private uint _cons;

    public SourceKind Kind { get; }
    public EventFd Kick { get; }
    public EventFd Notify { get; }

    /// <summary>The memfd's inode: the same page after a daemon restart, a different one for a new domain.</summary>
    public ulong Identity { get; }

    /// <summary>The out ring's consumer index as this daemon last published it.</summary>
    public uint Consumer => _cons;

    /// <summary>Takes ownership of all three; fails if the memory cannot hold a console page.</summary>
    public ConsoleSource(SourceKind kind, SharedMemory memory, EventFd kick, EventFd notify)
    {
        if (memory.Length < XenConsInterface.SizeOf)
            throw new ArgumentException($"a console page needs {XenConsInterface.SizeOf} bytes, the memory has {memory.Length}", nameof(memory));
        Kind = kind;
        _memory = memory;
        _page = (XenConsInterface*)memory.Pointer;
        Kick = kick;
        Notify = notify;
        Identity = InodeOf(memory.Fd);
        _cons = Volatile.Read(ref _page->out_cons);
    }

    /// <summary>
    /// Resumes from <paramref name="index"/> (what the log cursor says was logged) when it lies between the
    /// page's consumer and producer indices; returns false and keeps the page's index otherwise.
    /// </summary>
    public bool ResumeAt(uint index)
    {
        uint cons = Volatile.Read(ref _page->out_cons);
        uint prod = Volatile.Read(ref _page->out_prod);
        if (RingIndices.Check(prod, cons, XenConsInterface.OutSize) != RingError.None || index - cons > prod - cons)
            return false;
        _cons = index;
        Volatile.Write(ref _page->out_cons, index);
        return true;
    }

    /// <summary>Marks the page as serviced (the header's <c>connection</c> field).</summary>
    public void Connect() => Volatile.Write(ref _page->connection, XenConsInterface.XENCONSOLE_CONNECTED);

    /// <summary>
    /// Copies up to <c>buffer.Length</c> output bytes from the consumer index, without consuming them.
    /// Returns the count, or -1 with <paramref name="fault"/> saying what the page got wrong.
    /// </summary>
    public int PeekOutput(Span<byte> buffer, out string? fault)
    {
        uint pageCons = Volatile.Read(ref _page->out_cons);
        if (pageCons != _cons)
        {
            fault = $"out consumer index changed under the daemon from 0x{_cons:X} to 0x{pageCons:X}";
            return -1;
        }
        uint cons = _cons;
        var ring = new ByteRing(_page->@out, XenConsInterface.OutSize, &cons, &_page->out_prod);
        var r = ring.Read(buffer);
        fault = r.IsFault ? Describe("out", r) : null;
        return r.IsFault ? -1 : r.Count;
    }

    /// <summary>Consumes <paramref name="count"/> bytes that <see cref="PeekOutput"/> returned.</summary>
    public void CommitOutput(int count)
    {
        _cons += (uint)count;
        Volatile.Write(ref _page->out_cons, _cons);
    }

    /// <summary>After a fault: drops whatever the out ring claims to hold, so that it is consistent again.</summary>
    public void ResetOutput()
    {
        _cons = Volatile.Read(ref _page->out_prod);
        Volatile.Write(ref _page->out_cons, _cons);
    }

    /// <summary>Writes as much of <paramref name="bytes"/> into the in ring as fits; -1 with a fault on bad indices.</summary>
    public int WriteInput(ReadOnlySpan<byte> bytes, out string? fault)
    {
        var ring = new ByteRing(_page->@in, XenConsInterface.InSize, &_page->in_cons, &_page->in_prod);
        var r = ring.Write(bytes);
        fault = r.IsFault ? Describe("in", r) : null;
        return r.IsFault ? -1 : r.Count;
    }

    /// <summary>After a fault: drops pending input, so that the in ring is consistent again.</summary>
    public void ResetInput() => Volatile.Write(ref _page->in_prod, Volatile.Read(ref _page->in_cons));

    /// <summary>Names a ring fault with its indices (ByteRing reports the producer index as A, the consumer index as B).</summary>
    private static string Describe(string ring, RingResult r) => r.Error switch
    {
        RingError.ProducerBehindConsumer => $"{ring} ring: producer index 0x{r.A:X} is behind consumer index 0x{r.B:X}",
        RingError.IndexDistanceTooLarge => $"{ring} ring: producer index 0x{r.A:X} is {r.A - r.B} bytes ahead of consumer index 0x{r.B:X}, more than the ring",
        _ => $"{ring} ring: {r.Error}",
    };

    private static ulong InodeOf(int fd)
    {
        byte* stat = stackalloc byte[256];
        if (LibC.Fstat(fd, stat) != 0)
            throw new IOException($"fstat(fd {fd}): {LibC.Describe(LibC.Errno)}");
        return *(ulong*)(stat + 8); // struct stat on x86-64: st_dev at 0, st_ino at 8
    }

    public void Dispose()
    {
        _memory.Dispose();
        Kick.Dispose();
        Notify.Dispose();
    }
}
