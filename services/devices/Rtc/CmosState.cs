using System.Runtime.InteropServices;

namespace Micro.Devices.Rtc;

/// <summary>The CMOS/RTC state kept in the journal: the selected index, the NMI mask, 128 bytes of NVRAM and the guest clock's offset from the host's.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct CmosState
{
    public byte Index;
    /// <summary>Bit 7 of the last index write: NMIs masked.</summary>
    public byte NmiDisabled;
    public fixed byte Ram[128];
    /// <summary>Guest time minus host time, in seconds: what the guest set the clock to.</summary>
    public long OffsetSeconds;
}
