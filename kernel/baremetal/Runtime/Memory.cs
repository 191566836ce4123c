using System.Runtime;
using System.Runtime.CompilerServices;

namespace Micro.BareMetal.Runtime;

/// <summary>Raw memory fill and copy (runtime.asm).</summary>
internal static unsafe class Memory
{
    [RuntimeImport("*", "memset"), MethodImpl(MethodImplOptions.InternalCall)]
    private static extern void* MemSet(void* dst, int value, ulong size);

    [RuntimeImport("*", "memmove"), MethodImpl(MethodImplOptions.InternalCall)]
    private static extern void* MemMove(void* dst, void* src, ulong size);

    public static void Zero(void* dst, ulong size) => MemSet(dst, 0, size);

    public static void Fill(void* dst, byte value, ulong size) => MemSet(dst, value, size);

    public static void Copy(void* dst, void* src, ulong size) => MemMove(dst, src, size);
}
