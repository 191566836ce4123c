using System.Threading;

namespace Micro.Core.Memory;

/// <summary>
/// Atomic bit operations on 64-bit words of pages a guest writes at the same time (shared_info,
/// vcpu_info, grant entries). Everything is built on one primitive, a 64-bit compare-and-swap, which
/// the freestanding build must provide as an intrinsic. Words must be 8-byte aligned.
/// </summary>
public static unsafe class SharedWord
{
    public static long CompareExchange(ulong* word, ulong value, ulong comparand) =>
        Interlocked.CompareExchange(ref *(long*)word, (long)value, (long)comparand);

    /// <summary>Sets bit <paramref name="bit"/>; returns whether it was already set.</summary>
    public static bool TestAndSetBit(ulong* word, int bit)
    {
        ulong mask = 1UL << bit;
        ulong old = *word;
        while (true)
        {
            if ((old & mask) != 0)
                return true;
            ulong seen = (ulong)CompareExchange(word, old | mask, old);
            if (seen == old)
                return false;
            old = seen;
        }
    }

    /// <summary>Clears bit <paramref name="bit"/>; returns whether it was set.</summary>
    public static bool TestAndClearBit(ulong* word, int bit)
    {
        ulong mask = 1UL << bit;
        ulong old = *word;
        while (true)
        {
            if ((old & mask) == 0)
                return false;
            ulong seen = (ulong)CompareExchange(word, old & ~mask, old);
            if (seen == old)
                return true;
            old = seen;
        }
    }

    public static bool TestBit(ulong* word, int bit) => (*word & (1UL << bit)) != 0;

    /// <summary>Atomically clears the bits in <paramref name="clear"/> and sets those in <paramref name="set"/>;
    /// returns the old value.</summary>
    public static ulong Update(ulong* word, ulong clear, ulong set)
    {
        ulong old = *word;
        while (true)
        {
            ulong seen = (ulong)CompareExchange(word, (old & ~clear) | set, old);
            if (seen == old)
                return old;
            old = seen;
        }
    }
}
