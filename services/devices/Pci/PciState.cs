using System.Runtime.InteropServices;

namespace Micro.Devices.Pci;

/// <summary>The host bridge's state in the journal: the 0xCF8 address latch and the writable config registers of each slot.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct PciState
{
    public const int MaxSlots = 8;

    public uint Address;
    public fixed ushort Command[MaxSlots];
    public fixed byte InterruptLine[MaxSlots];
    /// <summary>BAR 0 was last written with all ones: it reads back its size mask (BAR sizing).</summary>
    public fixed byte BarSizing[MaxSlots];
}
