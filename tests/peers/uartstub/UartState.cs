namespace Micro.UartStub;

/// <summary>
/// The UART's device state, kept in the state page the core hands to every instance, so a restarted
/// instance continues exactly where the killed one stopped. Layout:
///   0     journal   u64: vCPU (8 bits) | request sequence (24 bits) | bytes transmitted (32 bits),
///                   written in one store after the byte itself: the commit point of a transmit
///   4096  tx[]      every byte transmitted, in order
/// A request whose (vCPU, sequence) equals the journal's was already transmitted before a crash and
/// is only completed, not sent again: no byte is lost and none is doubled.
/// </summary>
public static class UartState
{
    public const int JournalOffset = 0;
    public const int TxOffset = 4096;

    public static ulong Journal(int vcpu, ulong sequence, uint count) => ((ulong)(byte)vcpu << 56) | ((sequence & 0xFFFFFF) << 32) | count;

    public static uint Count(ulong journal) => (uint)journal;

    public static bool IsLast(ulong journal, int vcpu, ulong sequence) => journal != 0 && (journal >> 56) == (ulong)vcpu && ((journal >> 32) & 0xFFFFFF) == (sequence & 0xFFFFFF);

    /// <summary>The bytes transmitted so far, read from a state page.</summary>
    public static unsafe byte[] Transmitted(byte* page, long pageSize)
    {
        uint count = Count(Volatile.Read(ref *(ulong*)(page + JournalOffset)));
        long n = Math.Min(count, pageSize - TxOffset);
        return new ReadOnlySpan<byte>(page + TxOffset, (int)n).ToArray();
    }
}
