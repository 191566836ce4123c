using Micro.Core.Memory;

namespace Micro.BareMetal.Hypervisor;

/// <summary>A domain's RAM: one physically contiguous host block, guest-physical 0 at its start.</summary>
internal sealed unsafe class GuestRam : GuestMemory
{
    public GuestRam(ulong hostAddress, ulong size)
    {
        HostAddress = hostAddress;
        Size = size;
    }

    public ulong HostAddress { get; }

    public ulong Size { get; }

    protected override byte* TranslateRange(ulong address, ulong length)
        => address < Size && length <= Size - address ? (byte*)(HostAddress + address) : null;
}
