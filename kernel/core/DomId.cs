namespace Micro.Core;

/// <summary>Reserved domain ids (xen/include/public/xen.h, domid_t).</summary>
public static class DomId
{
    /// <summary>Ids at or above this are never real domains.</summary>
    public const int FirstReserved = 0x7FF0;
    public const int Self = 0x7FF0;
    public const int Io = 0x7FF1;
    public const int Xen = 0x7FF2;
    public const int Cow = 0x7FF3;
    public const int Invalid = 0x7FF4;
    public const int Idle = 0x7FFF;
}
