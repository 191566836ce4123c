namespace Micro.Protocol.Rings;

/// <summary>
/// The reading side of a <see cref="RecordRing"/>. A record counts as consumed only once the consumer
/// index has moved past it; the index (and the optional tag stored with it in one 64-bit write) is
/// what a restarted consumer resumes from. Every length and index read from shared memory is
/// validated before it is used.
/// </summary>
public sealed class RecordConsumer
{
    private readonly RecordRing _ring;
    private readonly ByteRing _data;
    private readonly uint _size;
    private uint _cons;
    private uint _prod;
    private long _peeked = -1; // payload length of the record Peek validated, or -1

    /// <summary>The word stored atomically with the consumer index (e.g. the last sequence number completed).</summary>
    public uint Tag { get; private set; }

    /// <summary>Free-running consumer index (bytes ever consumed, mod 2^32).</summary>
    public uint Index => _cons;

    private RecordConsumer(RecordRing ring, uint cons, uint tag, uint prod)
    {
        _ring = ring;
        _data = ring.Data;
        _size = ring.Data.Size;
        _cons = cons;
        Tag = tag;
        _prod = prod;
    }

    /// <summary>Takes over the consumer side from the indices in shared memory (a fresh ring or a restart).</summary>
    internal static RecordConsumer? Resume(RecordRing ring, out RingResult error)
    {
        ulong mine = Volatile.Read(ref ring.IndexAndTag(RecordRing.ConsOffset));
        uint cons = (uint)mine;
        uint prod = Volatile.Read(ref ring.Word(RecordRing.ProdOffset));
        error = RingIndices.CheckRecordIndices(prod, cons, ring.Data.Size);
        return error.IsOk ? new RecordConsumer(ring, cons, (uint)(mine >> 32), prod) : null;
    }

    public RingResult TryRead(Span<byte> buffer) => TryRead(buffer, Tag);

    /// <summary>
    /// Copies the next record into <paramref name="buffer"/> (Count = its length) and consumes it,
    /// storing <paramref name="tag"/> with the index. WouldBlock when empty; BufferTooSmall leaves the
    /// record in place; any other error means the producer broke the ring and nothing was consumed.
    /// </summary>
    public RingResult TryRead(Span<byte> buffer, uint tag)
    {
        RingResult next = Peek();
        if (!next.IsOk)
            return next;
        uint length = (uint)next.Count;
        if (length > (uint)buffer.Length)
            return RingResult.Fail(RingError.BufferTooSmall, length, (uint)buffer.Length);
        _data.CopyOut(_cons + RingIndices.RecordHeaderSize, buffer[..(int)length]);
        return Advance(tag);
    }

    /// <summary>
    /// Looks at the next record without consuming it: Count = its payload length once the header has
    /// been validated against the record limit and the produced bytes.
    /// </summary>
    public RingResult Peek()
    {
        uint available = _prod - _cons;
        if (available == 0)
        {
            uint prod = Volatile.Read(ref _ring.Word(RecordRing.ProdOffset));
            if ((int)(prod - _prod) < 0)
                return RingResult.Fail(RingError.IndexMovedBackwards, prod, _prod);
            RingError e = RingIndices.Check(prod, _cons, _size);
            if (e != RingError.None)
                return RingResult.Fail(e, prod, _cons);
            _prod = prod;
            available = prod - _cons;
            if (available == 0)
                return RingResult.WouldBlock;
        }
        uint length = _data.ReadWord(_cons);
        if (length > _ring.RecordLimit)
            return RingResult.Fail(RingError.RecordTooLong, length, _ring.RecordLimit);
        uint span = RingIndices.RecordSpan(length);
        if (span > available)
            return RingResult.Fail(RingError.RecordBeyondProduced, span, available);
        _peeked = length;
        return RingResult.Ok((int)length);
    }

    /// <summary>Copies part of the record <see cref="Peek"/> validated, from <paramref name="offset"/> bytes into its payload.</summary>
    public void CopyPeeked(int offset, Span<byte> buffer)
    {
        if (offset < 0 || _peeked < 0 || offset + (long)buffer.Length > _peeked)
            throw new ArgumentOutOfRangeException(nameof(offset), $"bytes [{offset}, +{buffer.Length}) are outside the peeked record of {_peeked} bytes");
        _data.CopyOut(_cons + RingIndices.RecordHeaderSize + (uint)offset, buffer);
    }

    /// <summary>Consumes the record <see cref="Peek"/> validated, storing <paramref name="tag"/> with the index.</summary>
    public RingResult Advance(uint tag)
    {
        if (_peeked < 0)
            throw new InvalidOperationException("Advance without a record validated by Peek");
        uint length = (uint)_peeked;
        _peeked = -1;
        uint old = _cons;
        _cons += RingIndices.RecordSpan(length);
        Tag = tag;
        Volatile.Write(ref _ring.IndexAndTag(RecordRing.ConsOffset), _cons | ((ulong)tag << 32));
        // Store-load fence, as on the producer side: publish the index, then look at the wake-up index.
        Interlocked.MemoryBarrier();
        uint wakeAt = Volatile.Read(ref _ring.Word(RecordRing.ConsEventOffset));
        return RingResult.Ok((int)length, RingIndices.CrossedEvent(old, _cons, wakeAt));
    }

    /// <summary>
    /// Before sleeping on an empty ring: asks the producer to notify at the next record, then re-checks.
    /// False means a record arrived meanwhile — do not sleep.
    /// </summary>
    public bool PrepareToSleep()
    {
        Volatile.Write(ref _ring.Word(RecordRing.ProdEventOffset), _cons + 1);
        Interlocked.MemoryBarrier();
        return Volatile.Read(ref _ring.Word(RecordRing.ProdOffset)) == _cons;
    }
}
