using System.Runtime;
using System.Runtime.CompilerServices;

namespace Micro.BareMetal.Boot;

/// <summary>Where the image, the boot stack and the kernel heap are (symbols of entry.asm and kernel.ld).</summary>
internal static unsafe class BootLayout
{
    [RuntimeImport("*", "boot_layout"), MethodImpl(MethodImplOptions.InternalCall)]
    private static extern void Read(ulong* out6);

    public static ulong ImageStart => Get(0);

    public static ulong ImageEnd => Get(1);

    public static ulong StackBottom => Get(2);

    public static ulong StackTop => Get(3);

    public static ulong HeapStart => Get(4);

    public static ulong HeapEnd => Get(5);

    public static bool StackContains(ulong address, ulong size)
        => address >= StackBottom && address <= StackTop - size;

    private static ulong Get(int index)
    {
        ulong* values = stackalloc ulong[6];
        Read(values);
        return values[index];
    }
}
