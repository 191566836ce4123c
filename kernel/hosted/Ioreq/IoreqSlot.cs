using System.Runtime.InteropServices;

namespace Micro.Kernel.Ioreq;

/// <summary>
/// Xen's <c>struct ioreq</c> (public/hvm/ioreq.h, 32 bytes): one I/O access a vCPU is waiting on.
/// Byte 30 packs state:4, data_is_ptr:1, dir:1, df:1; it is written last (release) by whoever hands
/// the slot over and read first (acquire) by the other side.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 32)]
public struct IoreqSlot
{
    [FieldOffset(0)] public ulong Addr;
    [FieldOffset(8)] public ulong Data;
    [FieldOffset(16)] public uint Count;
    [FieldOffset(20)] public uint Size;
    [FieldOffset(24)] public uint VpEport;
    [FieldOffset(30)] public byte Flags;
    [FieldOffset(31)] public byte Type;

    public const byte STATE_IOREQ_NONE = 0, STATE_IOREQ_READY = 1, STATE_IOREQ_INPROCESS = 2, STATE_IORESP_READY = 3;
    public const byte IOREQ_WRITE = 0, IOREQ_READ = 1;
    public const byte IOREQ_TYPE_PIO = 0, IOREQ_TYPE_COPY = 1;

    public static byte State(byte flags) => (byte)(flags & 0xF);
    public static byte Dir(byte flags) => (byte)((flags >> 5) & 1);
    public static byte MakeFlags(byte state, byte dir) => (byte)(state | (dir << 5));
}
