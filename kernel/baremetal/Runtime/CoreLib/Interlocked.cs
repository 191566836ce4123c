using System.Runtime;
using System.Runtime.CompilerServices;

namespace System.Threading;

/// <summary>Atomic operations (lock-prefixed instructions in runtime.asm).</summary>
public static unsafe class Interlocked
{
    [RuntimeImport("*", "interlocked_cmpxchg64"), MethodImpl(MethodImplOptions.InternalCall)]
    private static extern long CompareExchange64(long* location, long value, long comparand);

    [RuntimeImport("*", "interlocked_cmpxchg32"), MethodImpl(MethodImplOptions.InternalCall)]
    private static extern int CompareExchange32(int* location, int value, int comparand);

    public static long CompareExchange(ref long location, long value, long comparand)
        => CompareExchange64((long*)Unsafe.AsPointer(ref location), value, comparand);

    public static int CompareExchange(ref int location, int value, int comparand)
        => CompareExchange32((int*)Unsafe.AsPointer(ref location), value, comparand);
}
