using Micro.Protocol.Rings;

namespace Micro.Protocol.Xen;

/// <summary>
/// A console page seen as two byte streams: the guest writes output and reads input; the console
/// daemon reads output and writes input. Indices the other side wrote are validated on every call.
/// </summary>
public sealed unsafe class XenConsoleRing
{
    private readonly XenConsInterface* _page;
    private readonly ByteRing _in;
    private readonly ByteRing _out;

    /// <param name="page">A mapped page of at least <see cref="XenConsInterface.SizeOf"/> bytes.</param>
    public XenConsoleRing(byte* page)
    {
        _page = (XenConsInterface*)page;
        _in = new ByteRing(_page->@in, XenConsInterface.InSize, &_page->in_cons, &_page->in_prod);
        _out = new ByteRing(_page->@out, XenConsInterface.OutSize, &_page->out_cons, &_page->out_prod);
    }

    // Guest side.
    public RingResult WriteOutput(ReadOnlySpan<byte> bytes) => _out.Write(bytes);
    public RingResult ReadInput(Span<byte> buffer) => _in.Read(buffer);

    // Console daemon side.
    public RingResult ReadOutput(Span<byte> buffer) => _out.Read(buffer);
    public RingResult WriteInput(ReadOnlySpan<byte> bytes) => _in.Write(bytes);

    /// <summary>Output bytes waiting for the daemon (or an index error).</summary>
    public RingResult OutputPending => _out.Readable();

    /// <summary>Input bytes waiting for the guest (or an index error).</summary>
    public RingResult InputPending => _in.Readable();

    /// <summary>The out ring's consumer index: where a restarted daemon resumes.</summary>
    public uint OutputConsumer => _out.Consumer;

    public byte Connection
    {
        get => Volatile.Read(ref _page->connection);
        set => Volatile.Write(ref _page->connection, value);
    }
}
