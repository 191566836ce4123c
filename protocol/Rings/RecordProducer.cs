namespace Micro.Protocol.Rings;

/// <summary>
/// The writing side of a <see cref="RecordRing"/>. Keeps its own index privately (the shared copy is
/// only published, never trusted back) and caches the consumer's index, re-reading and validating
/// it only when the cached view says the ring is full.
/// </summary>
public sealed class RecordProducer
{
    private readonly RecordRing _ring;
    private readonly ByteRing _data;
    private readonly uint _size;
    private uint _prod;
    private uint _cons;

    /// <summary>The word stored atomically with the producer index (e.g. the last sequence number written).</summary>
    public uint Tag { get; private set; }

    /// <summary>Free-running producer index (bytes ever written, mod 2^32).</summary>
    public uint Index => _prod;

    private RecordProducer(RecordRing ring, uint prod, uint tag, uint cons)
    {
        _ring = ring;
        _data = ring.Data;
        _size = ring.Data.Size;
        _prod = prod;
        Tag = tag;
        _cons = cons;
    }

    /// <summary>Takes over the producer side from the indices in shared memory (a fresh ring or a restart).</summary>
    internal static RecordProducer? Resume(RecordRing ring, out RingResult error)
    {
        ulong mine = Volatile.Read(ref ring.IndexAndTag(RecordRing.ProdOffset));
        uint prod = (uint)mine;
        uint cons = Volatile.Read(ref ring.Word(RecordRing.ConsOffset));
        error = RingIndices.CheckRecordIndices(prod, cons, ring.Data.Size);
        return error.IsOk ? new RecordProducer(ring, prod, (uint)(mine >> 32), cons) : null;
    }

    public RingResult TryWrite(ReadOnlySpan<byte> payload) => TryWrite(payload, Tag);

    /// <summary>
    /// Appends one record and publishes it with <paramref name="tag"/>. WouldBlock when there is no
    /// room (nothing written); Notify when the consumer asked to be woken.
    /// </summary>
    public RingResult TryWrite(ReadOnlySpan<byte> payload, uint tag)
    {
        uint length = (uint)payload.Length;
        if (length > _ring.RecordLimit)
            return RingResult.Fail(RingError.RecordTooLarge, length, _ring.RecordLimit);
        uint span = RingIndices.RecordSpan(length);
        if (_size - (_prod - _cons) < span)
        {
            RingResult refreshed = RefreshConsumer();
            if (!refreshed.IsOk)
                return refreshed;
            if (_size - (_prod - _cons) < span)
                return RingResult.WouldBlock;
        }
        _data.WriteWord(_prod, length);
        _data.CopyIn(_prod + RingIndices.RecordHeaderSize, payload);
        uint old = _prod;
        _prod += span;
        Tag = tag;
        Volatile.Write(ref _ring.IndexAndTag(RecordRing.ProdOffset), _prod | ((ulong)tag << 32));
        // Store-load fence: our index must be visible before we read the consumer's wake-up index,
        // or a consumer going to sleep and this check could miss each other.
        Interlocked.MemoryBarrier();
        uint wakeAt = Volatile.Read(ref _ring.Word(RecordRing.ProdEventOffset));
        return RingResult.Ok((int)length, RingIndices.CrossedEvent(old, _prod, wakeAt));
    }

    /// <summary>
    /// Before waiting for room for a record of <paramref name="payloadLength"/> bytes: asks the consumer
    /// to notify once that much is free, then re-checks. False means room appeared — do not wait.
    /// </summary>
    public bool PrepareToWait(int payloadLength)
    {
        uint span = RingIndices.RecordSpan((uint)Math.Min((uint)payloadLength, _ring.RecordLimit));
        Volatile.Write(ref _ring.Word(RecordRing.ConsEventOffset), _prod + span - _size);
        Interlocked.MemoryBarrier();
        return RefreshConsumer().IsOk && _size - (_prod - _cons) < span;
    }

    /// <summary>The consumer index as last read (and validated): the value to sleep on while waiting for room.</summary>
    public uint SeenConsumerIndex => _cons;

    /// <summary>Bytes of data area free as of the last look at the consumer index.</summary>
    public uint FreeBytes => _size - (_prod - _cons);

    private RingResult RefreshConsumer()
    {
        uint cons = Volatile.Read(ref _ring.Word(RecordRing.ConsOffset));
        if ((int)(cons - _cons) < 0)
            return RingResult.Fail(RingError.IndexMovedBackwards, cons, _cons);
        RingError e = RingIndices.Check(_prod, cons, _size);
        if (e != RingError.None)
            return RingResult.Fail(e, _prod, cons);
        _cons = cons;
        return RingResult.Ok(0);
    }
}
