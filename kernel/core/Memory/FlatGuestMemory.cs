namespace Micro.Core.Memory;

/// <summary>
/// Guest-physical memory that is one contiguous host mapping starting at guest-physical 0 (a memfd
/// mapping in the hosted build, a block of host memory in tests).
/// </summary>
public sealed unsafe class FlatGuestMemory : GuestMemory
{
    private readonly byte* hostBase;

    public FlatGuestMemory(byte* hostBase, ulong size)
    {
        this.hostBase = hostBase;
        Size = size;
    }

    public ulong Size { get; }

    protected override byte* TranslateRange(ulong address, ulong length)
    {
        if (address >= Size || length > Size - address)
            return null;
        return hostBase + address;
    }
}
