using Micro.Protocol.Os;

namespace Micro.Kernel.Ioreq;

/// <summary>
/// The shared ioreq page of one device model: Xen's <c>shared_iopage</c> (one <see cref="IoreqSlot"/>
/// per vCPU from offset 0) plus two hosted additions: a request sequence number per vCPU at
/// <see cref="SequenceOffset"/>, so that a restarted device model can tell a request it already
/// served from a new one; and a shutdown request at <see cref="ShutdownOffset"/> (Xen's device model
/// uses SCHEDOP_remote_shutdown for this, e.g. for the i8042 reset line), which the model sets before
/// answering the access that caused it. The page lives in a memfd the core owns: it outlives the device model, and
/// a request in flight when the model dies is still there for its successor.
/// </summary>
public sealed unsafe class IoreqPage : IDisposable
{
    public const int Size = 4096;
    public const int MaxVcpus = 64;
    public const int SequenceOffset = 2048;
    public const int ShutdownOffset = 3072;

    public SharedMemory Memory { get; }

    private IoreqPage(SharedMemory memory) => Memory = memory;

    public static IoreqPage Create(string name) => new(SharedMemory.Create(name, Size));

    /// <summary>Maps a page fd received from the core; takes ownership of the fd.</summary>
    public static IoreqPage Map(int fd) => new(SharedMemory.Map(fd, Size));

    public static bool IsValidVcpu(int vcpu) => vcpu >= 0 && vcpu < MaxVcpus;

    public ref IoreqSlot Slot(int vcpu)
    {
        if (!IsValidVcpu(vcpu))
            throw new ArgumentOutOfRangeException(nameof(vcpu), $"vCPU {vcpu} has no ioreq slot (0..{MaxVcpus - 1})");
        return ref ((IoreqSlot*)Memory.Pointer)[vcpu];
    }

    public ref ulong Sequence(int vcpu)
    {
        if (!IsValidVcpu(vcpu))
            throw new ArgumentOutOfRangeException(nameof(vcpu), $"vCPU {vcpu} has no ioreq slot (0..{MaxVcpus - 1})");
        return ref ((ulong*)(Memory.Pointer + SequenceOffset))[vcpu];
    }

    /// <summary>Device-model side: asks the core to shut the guest down with Xen's SHUTDOWN_* <paramref name="reason"/>.</summary>
    public void RequestShutdown(int reason) => Volatile.Write(ref *(int*)(Memory.Pointer + ShutdownOffset), reason + 1);

    /// <summary>Core side: the shutdown reason asked for since the last call, or -1; clears the request.</summary>
    public int TakeShutdownRequest() => Interlocked.Exchange(ref *(int*)(Memory.Pointer + ShutdownOffset), 0) - 1;

    public void Dispose() => Memory.Dispose();
}
