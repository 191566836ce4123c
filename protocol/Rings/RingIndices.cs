using System.Numerics;

namespace Micro.Protocol.Rings;

/// <summary>
/// Free-running 32-bit producer/consumer index arithmetic, Xen style: indices only grow (and wrap
/// at 2^32), the slot is <c>index &amp; (size - 1)</c>, and the ring holds <c>prod - cons</c> bytes.
/// This is the one place that decides whether a pair of indices read from shared memory is sane.
/// </summary>
public static class RingIndices
{
    public static bool IsValidSize(uint size) => size >= 8 && BitOperations.IsPow2(size) && size <= 1u << 30;

    /// <summary>Validates an index pair read from shared memory: 0 &lt;= prod - cons &lt;= size.</summary>
    public static RingError Check(uint prod, uint cons, uint size)
    {
        uint used = prod - cons;
        if ((int)used < 0)
            return RingError.ProducerBehindConsumer;
        return used > size ? RingError.IndexDistanceTooLarge : RingError.None;
    }

    public static RingResult Failure(uint prod, uint cons, uint size)
    {
        RingError e = Check(prod, cons, size);
        return RingResult.Fail(e, prod, cons);
    }

    /// <summary>
    /// Xen's notification test (RING_PUSH_*_AND_CHECK_NOTIFY): the index moved from
    /// <paramref name="oldIndex"/> to <paramref name="newIndex"/>; the peer asked to be woken when it
    /// passes <paramref name="eventIndex"/>. True when the event index lies in (old, new].
    /// </summary>
    public static bool CrossedEvent(uint oldIndex, uint newIndex, uint eventIndex)
        => newIndex - eventIndex < newIndex - oldIndex;

    /// <summary>Records occupy multiples of 8 bytes so a record header never straddles the wrap.</summary>
    public static uint RecordSpan(uint payloadLength) => (RecordHeaderSize + payloadLength + 7) & ~7u;

    public const uint RecordHeaderSize = 4;

    /// <summary>
    /// Validates the indices a record-ring side resumes from: the pair must be consistent and both
    /// 8-byte aligned, since record headers are read and written whole at the index.
    /// </summary>
    public static RingResult CheckRecordIndices(uint prod, uint cons, uint size)
    {
        if ((prod & 7) != 0)
            return RingResult.Fail(RingError.IndexMisaligned, prod);
        if ((cons & 7) != 0)
            return RingResult.Fail(RingError.IndexMisaligned, cons);
        RingError e = Check(prod, cons, size);
        return e == RingError.None ? RingResult.Ok(0) : RingResult.Fail(e, prod, cons);
    }
}
