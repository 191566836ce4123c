using System.Buffers.Binary;
using Micro.Fuzz;
using Micro.Protocol.Rings;

namespace Micro.Protocol.Tests;

public unsafe class RecordRingTests
{
    private const uint DataSize = 256;
    private const uint Limit = 200;

    private static (RecordRing ring, RecordProducer p, RecordConsumer c) Fresh(GuardedRegion r)
    {
        var ring = RecordRing.Format(r.Pointer, r.Length, DataSize, Limit);
        var p = ring.Producer(out var pe) ?? throw new InvalidOperationException(pe.Describe());
        var c = ring.Consumer(out var ce) ?? throw new InvalidOperationException(ce.Describe());
        return (ring, p, c);
    }

    private static GuardedRegion Region() => new((int)RecordRing.RegionSize(DataSize));

    private static byte[] Payload(int seq, int length)
    {
        var b = new byte[length];
        for (int i = 0; i < length; i++)
            b[i] = (byte)(seq * 31 + i);
        return b;
    }

    [Fact]
    public void VariableLengthRecordsWrapAndComeBackIntact()
    {
        using var r = Region();
        var (_, p, c) = Fresh(r);
        var rng = new Random(7);
        var pending = new Queue<byte[]>();
        var buf = new byte[Limit];
        int seq = 0;
        for (int step = 0; step < 50_000; step++)
        {
            if (rng.Next(2) == 0)
            {
                var payload = Payload(seq, rng.Next(0, (int)Limit + 1));
                var w = p.TryWrite(payload);
                if (w.IsOk)
                {
                    pending.Enqueue(payload);
                    seq++;
                }
                else
                {
                    Assert.Equal(RingError.WouldBlock, w.Error);
                }
            }
            else
            {
                var rd = c.TryRead(buf);
                if (pending.Count == 0)
                {
                    Assert.Equal(RingError.WouldBlock, rd.Error);
                    continue;
                }
                Assert.True(rd.IsOk, rd.Describe());
                Assert.Equal(pending.Dequeue(), buf.AsSpan(0, rd.Count).ToArray());
            }
        }
        Assert.True(p.Index > 10 * DataSize, "the test should wrap the ring many times");
        r.CheckGuards();
    }

    [Fact]
    public void IndicesWrapAt2Pow32()
    {
        using var r = Region();
        RecordRing.Format(r.Pointer, r.Length, DataSize, Limit);
        r.Word(RecordRing.ProdOffset) = 0xFFFF_FF00;
        r.Word(RecordRing.ConsOffset) = 0xFFFF_FF00;
        var ring = RecordRing.Attach(r.Pointer, r.Length, out _)!;
        var p = ring.Producer(out _)!;
        var c = ring.Consumer(out _)!;
        var buf = new byte[Limit];
        for (int i = 0; i < 100; i++)
        {
            Assert.True(p.TryWrite(Payload(i, 100)).IsOk);
            var rd = c.TryRead(buf);
            Assert.True(rd.IsOk, rd.Describe());
            Assert.Equal(Payload(i, 100), buf.AsSpan(0, rd.Count).ToArray());
        }
        Assert.True(p.Index < 0x1_0000, "the producer index should have wrapped past zero");
    }

    [Fact]
    public void FullRingSaysWouldBlockAndOversizeRecordsAreRefused()
    {
        using var r = Region();
        var (_, p, _) = Fresh(r);
        Assert.Equal(RingError.RecordTooLarge, p.TryWrite(new byte[Limit + 1]).Error);
        Assert.True(p.TryWrite(new byte[124]).IsOk); // 128 bytes
        Assert.True(p.TryWrite(new byte[124]).IsOk); // 256: full
        Assert.Equal(RingError.WouldBlock, p.TryWrite(Array.Empty<byte>()).Error);
    }

    [Fact]
    public void ARecordLongerThanTheLimitIsRejectedAndNothingConsumed()
    {
        using var r = Region();
        var (_, p, c) = Fresh(r);
        Assert.True(p.TryWrite(new byte[8]).IsOk);
        BinaryPrimitives.WriteUInt32LittleEndian(r.Span[RecordRing.HeaderSize..], 0xFFFF_FFF0); // hostile length
        var rd = c.TryRead(new byte[1000]);
        Assert.Equal(RingError.RecordTooLong, rd.Error);
        Assert.Contains("limit is 200", rd.Describe(), StringComparison.Ordinal);
        Assert.Equal(0u, c.Index);
        r.CheckGuards();
    }

    [Fact]
    public void ARecordLongerThanWhatWasProducedIsRejected()
    {
        using var r = Region();
        var (_, p, c) = Fresh(r);
        Assert.True(p.TryWrite(new byte[8]).IsOk); // 16 bytes produced
        BinaryPrimitives.WriteUInt32LittleEndian(r.Span[RecordRing.HeaderSize..], 100);
        var rd = c.TryRead(new byte[1000]);
        Assert.Equal(RingError.RecordBeyondProduced, rd.Error);
        Assert.Equal(0u, c.Index);
    }

    [Fact]
    public void ASmallBufferLeavesTheRecordInPlace()
    {
        using var r = Region();
        var (_, p, c) = Fresh(r);
        Assert.True(p.TryWrite(Payload(1, 50)).IsOk);
        Assert.Equal(RingError.BufferTooSmall, c.TryRead(new byte[49]).Error);
        var buf = new byte[50];
        Assert.Equal(50, c.TryRead(buf).Count);
        Assert.Equal(Payload(1, 50), buf);
    }

    [Theory]
    [InlineData(300u, 0u, RingError.IndexDistanceTooLarge)]
    [InlineData(0xFFFF_FFF8u, 0u, RingError.IndexMovedBackwards)] // the consumer has seen 0 before
    public void AScribbledProducerIndexIsRejectedByTheConsumer(uint prod, uint cons, RingError expected)
    {
        using var r = Region();
        var (ring, _, c) = Fresh(r);
        r.Word(RecordRing.ProdOffset) = prod;
        r.Word(RecordRing.ConsOffset) = cons;
        Assert.Equal(expected, c.TryRead(new byte[1000]).Error);
        r.CheckGuards();
        // A consumer resuming from these indices refuses them outright.
        Assert.Null(ring.Consumer(out var e));
        Assert.True(e.IsFault);
    }

    [Fact]
    public void AProducerIndexMovingBackwardsIsRejected()
    {
        using var r = Region();
        var (_, p, c) = Fresh(r);
        Assert.True(p.TryWrite(new byte[8]).IsOk);
        Assert.True(c.TryRead(new byte[8]).IsOk);
        r.Word(RecordRing.ProdOffset) = 8; // was 16, consumer is at 16
        var rd = c.TryRead(new byte[8]);
        Assert.Equal(RingError.IndexMovedBackwards, rd.Error);
        Assert.Contains("backwards", rd.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void AScribbledConsumerIndexIsRejectedByTheProducer()
    {
        using var r = Region();
        var (_, p, _) = Fresh(r);
        for (int i = 0; i < 2; i++)
            Assert.True(p.TryWrite(new byte[124]).IsOk);
        r.Word(RecordRing.ConsOffset) = 0x1000; // past the producer
        Assert.Equal(RingError.ProducerBehindConsumer, p.TryWrite(new byte[8]).Error);
        r.Word(RecordRing.ConsOffset) = 0xFFFF_FF00; // behind where it was
        Assert.Equal(RingError.IndexMovedBackwards, p.TryWrite(new byte[8]).Error);
        r.CheckGuards();
    }

    [Theory]
    [InlineData(RecordRing.MagicOffset, 0x1234u)]
    [InlineData(RecordRing.VersionOffset, 2u)]
    [InlineData(RecordRing.DataSizeOffset, 1000u)]
    [InlineData(RecordRing.DataSizeOffset, 1u << 20)] // larger than the region
    [InlineData(RecordRing.RecordLimitOffset, DataSize)]
    public void AttachRefusesABadHeader(int offset, uint value)
    {
        using var r = Region();
        RecordRing.Format(r.Pointer, r.Length, DataSize, Limit);
        r.Word(offset) = value;
        Assert.Null(RecordRing.Attach(r.Pointer, r.Length, out var e));
        Assert.Equal(RingError.BadHeader, e.Error);
    }

    [Fact]
    public void AttachRefusesInconsistentIndicesOnResume()
    {
        using var r = Region();
        var ring = RecordRing.Format(r.Pointer, r.Length, DataSize, Limit);
        r.Word(RecordRing.ProdOffset) = 4096;
        Assert.Null(ring.Consumer(out var e));
        Assert.Equal(RingError.IndexDistanceTooLarge, e.Error);
        Assert.Null(ring.Producer(out e));
    }

    [Theory]
    [InlineData(RecordRing.ProdOffset, 255u)] // found by the ring fuzz target: a header write at 255 spilled past the ring
    [InlineData(RecordRing.ConsOffset, 4u)]
    public void ResumingFromAMisalignedIndexIsRefused(int offset, uint value)
    {
        using var r = Region();
        var ring = RecordRing.Format(r.Pointer, r.Length, DataSize, Limit);
        r.Word(offset) = value;
        Assert.Null(ring.Producer(out var e));
        Assert.Equal(RingError.IndexMisaligned, e.Error);
        Assert.Contains("multiple of 8", e.Describe(), StringComparison.Ordinal);
        Assert.Null(ring.Consumer(out e));
        Assert.Equal(RingError.IndexMisaligned, e.Error);
    }

    [Fact]
    public void TheProducerNotifiesOnlyAConsumerThatSaidItMaySleep()
    {
        using var r = Region();
        var (_, p, c) = Fresh(r);
        Assert.False(p.TryWrite(new byte[8]).Notify); // consumer never asked
        Assert.True(c.TryRead(new byte[8]).IsOk);
        Assert.True(c.PrepareToSleep());
        Assert.True(p.TryWrite(new byte[8]).Notify); // crosses the consumer's event index
        Assert.False(p.TryWrite(new byte[8]).Notify); // consumer is awake now: suppressed
        Assert.False(c.PrepareToSleep()); // records are waiting: do not sleep
    }

    [Fact]
    public void TheConsumerNotifiesAProducerWaitingForRoom()
    {
        using var r = Region();
        var (_, p, c) = Fresh(r);
        Assert.True(p.TryWrite(new byte[124]).IsOk);
        Assert.True(p.TryWrite(new byte[124]).IsOk);
        Assert.True(p.PrepareToWait(100)); // needs 104 bytes, none free
        Assert.True(c.TryRead(new byte[200]).Notify); // 128 bytes freed: enough
        Assert.False(c.TryRead(new byte[200]).Notify);
        Assert.False(p.PrepareToWait(100));
    }

    [Fact]
    public void TagsAreStoredWithTheIndicesAndSurviveAResume()
    {
        using var r = Region();
        var (ring, p, c) = Fresh(r);
        Assert.True(p.TryWrite(new byte[8], 41).IsOk);
        Assert.True(p.TryWrite(new byte[8], 42).IsOk);
        Assert.True(c.TryRead(new byte[8], 41).IsOk);
        var p2 = ring.Producer(out _)!;
        var c2 = ring.Consumer(out _)!;
        Assert.Equal(42u, p2.Tag);
        Assert.Equal(41u, c2.Tag);
        Assert.Equal(p.Index, p2.Index);
        Assert.Equal(c.Index, c2.Index);
        Assert.True(c2.TryRead(new byte[8], 42).IsOk);
        Assert.Equal(RingError.WouldBlock, c2.TryRead(new byte[8]).Error);
    }

    [Fact]
    public void PeekAndCopyPeekedReadAWrappedRecordInPieces()
    {
        using var r = Region();
        var (_, p, c) = Fresh(r);
        Assert.True(p.TryWrite(new byte[196]).IsOk); // 200 bytes: the next record wraps
        Assert.True(c.TryRead(new byte[200]).IsOk);
        var payload = Payload(3, 150);
        Assert.True(p.TryWrite(payload).IsOk);
        Assert.Equal(150, c.Peek().Count);
        var got = new byte[150];
        c.CopyPeeked(0, got.AsSpan(0, 70));
        c.CopyPeeked(70, got.AsSpan(70));
        Assert.Throws<ArgumentOutOfRangeException>(() => c.CopyPeeked(100, new byte[51]));
        Assert.True(c.Advance(0).IsOk);
        Assert.Equal(payload, got);
        Assert.Throws<InvalidOperationException>(() => c.Advance(0));
    }

    [Fact]
    public void RandomScribblesNeverEscapeTheRegion()
    {
        using var r = Region();
        var (ring, p, _) = Fresh(r);
        var rng = new Random(11);
        var buf = new byte[Limit];
        for (int i = 0; i < 20_000; i++)
        {
            p.TryWrite(Payload(i, rng.Next(0, (int)Limit)));
            // A hostile peer rewrites random header words and data bytes.
            r.Word(RecordRing.ProdOffset + 4 * rng.Next(0, 3)) = (uint)rng.Next();
            r.Span[RecordRing.HeaderSize + rng.Next(0, (int)DataSize)] = (byte)rng.Next();
            var c = ring.Consumer(out _);
            var rd = c?.TryRead(buf) ?? default;
            Assert.True(rd.Count <= Limit);
            if (i % 100 == 0)
                p = ring.Producer(out _) ?? p;
        }
        r.CheckGuards();
    }
}
