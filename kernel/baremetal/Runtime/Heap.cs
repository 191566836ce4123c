using Micro.BareMetal.Platform;

namespace Micro.BareMetal.Runtime;

/// <summary>
/// The kernel heap: a bump allocator over one region. Nothing is freed, so the kernel allocates
/// its long-lived objects (domains, tables) and not per exit.
/// </summary>
internal static unsafe class Heap
{
    private static byte* s_next;
    private static byte* s_end;

    public static void Init(byte* start, ulong size)
    {
        s_next = start;
        s_end = start + size;
    }

    public static ulong Used(byte* start) => (ulong)(s_next - start);

    /// <summary>Zeroed, 16-byte aligned memory; panics when the heap is exhausted.</summary>
    public static byte* Allocate(ulong size)
    {
        byte* p = (byte*)(((ulong)s_next + 15) & ~15UL);
        if (s_next == null || size > (ulong)(s_end - p))
            Panic.Halt("kernel heap exhausted");
        s_next = p + size;
        Memory.Zero(p, size);
        return p;
    }
}
