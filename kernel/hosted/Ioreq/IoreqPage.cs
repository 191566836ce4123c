using Micro.Protocol.Os;

namespace Micro.Kernel.Ioreq;

/// <summary>
/// The shared ioreq page of one device model: Xen's <c>shared_iopage</c> (one <see cref="IoreqSlot"/>
/// per vCPU from offset 0) plus one hosted addition, a request sequence number per vCPU at
/// <see cref="SequenceOffset"/>, so that a restarted device model can tell a request it already
/// served from a new one. The page lives in a memfd the core owns: it outlives the device model, and
/// a request in flight when the model dies is still there for its successor.
/// </summary>
public sealed unsafe class IoreqPage : IDisposable
{
    public const int Size = 4096;
    public const int MaxVcpus = 64;
    public const int SequenceOffset = 2048;

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

    public void Dispose() => Memory.Dispose();
}
