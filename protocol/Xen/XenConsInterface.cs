using System.Runtime.InteropServices;

namespace Micro.Protocol.Xen;

/// <summary>
/// <c>struct xencons_interface</c> from Xen's public io/console.h: the guest's console page.
/// <c>out</c> carries guest output to the console daemon, <c>in</c> carries input to the guest.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = SizeOf)]
public unsafe struct XenConsInterface
{
    public const int InSize = 1024, OutSize = 2048;

    /// <summary>connection values (newer headers): the backend sets CONNECTED once it services the ring.</summary>
    public const byte XENCONSOLE_CONNECTED = 0, XENCONSOLE_DISCONNECTED = 1;

    public const int SizeOf = 3092;

    [FieldOffset(0)] public fixed byte @in[InSize];
    [FieldOffset(1024)] public fixed byte @out[OutSize];
    [FieldOffset(3072)] public uint in_cons;
    [FieldOffset(3076)] public uint in_prod;
    [FieldOffset(3080)] public uint out_cons;
    [FieldOffset(3084)] public uint out_prod;
    [FieldOffset(3088)] public byte connection;
}
