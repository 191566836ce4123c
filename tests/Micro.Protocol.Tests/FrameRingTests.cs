using Micro.Fuzz;
using Micro.Protocol.Framing;
using Micro.Protocol.Messages;
using Micro.Protocol.Rings;

namespace Micro.Protocol.Tests;

public unsafe class FrameRingTests
{
    private const uint DataSize = 256 * 1024;

    private static (RecordProducer p, RecordConsumer c) Ring(GuardedRegion r, uint limit = Frame.MaxFrameSize)
    {
        var ring = RecordRing.Format(r.Pointer, r.Length, DataSize, limit);
        return (ring.Producer(out _)!, ring.Consumer(out _)!);
    }

    [Fact]
    public void EveryMessageCrossesARecordRing()
    {
        using var r = new GuardedRegion((int)RecordRing.RegionSize(DataSize));
        var (p, c) = Ring(r);
        var writer = new FrameWriter(p);
        var reader = new FrameReader(c);
        ulong id = 100;
        foreach (var m in MessageSamples.All)
            Assert.True(writer.TryWrite(m, id++).IsOk);
        id = 100;
        foreach (var m in MessageSamples.All)
        {
            var res = reader.TryRead(out var env);
            Assert.True(res.IsOk, res.ToString());
            Assert.Equal(m, env.Message);
            Assert.Equal(id++, env.RequestId);
        }
        Assert.Equal(FrameError.WouldBlock, reader.TryRead(out _).Error);
    }

    [Fact]
    public void ARecordWithBytesAfterItsFrameIsALengthMismatchAndIsConsumed()
    {
        using var r = new GuardedRegion((int)RecordRing.RegionSize(DataSize));
        var (p, c) = Ring(r);
        var frame = new FrameCodec().Encode(new EvtchnSend(3), 1).ToArray();
        Assert.True(p.TryWrite([.. frame, 0, 0]).IsOk);
        Assert.True(new FrameWriter(p).TryWrite(new EvtchnSend(4), 2).IsOk);
        var reader = new FrameReader(c);
        Assert.Equal(FrameError.LengthMismatch, reader.TryRead(out var env).Error);
        Assert.Null(env.Message);
        Assert.True(reader.TryRead(out env).IsOk); // the connection can go on after a rejected message
        Assert.Equal(new EvtchnSend(4), env.Message);
    }

    [Fact]
    public void ARecordHoldingHalfAFrameIsTruncated()
    {
        using var r = new GuardedRegion((int)RecordRing.RegionSize(DataSize));
        var (p, c) = Ring(r);
        var frame = new FrameCodec().Encode(new Hello("x", 1, 1), 1).ToArray();
        Assert.True(p.TryWrite(frame.AsSpan(0, frame.Length - 2)).IsOk);
        var res = new FrameReader(c).TryRead(out _);
        Assert.Equal(FrameError.Truncated, res.Error);
        Assert.True(res.IsFault);
    }

    [Fact]
    public void ARecordLargerThanAnyFrameIsRefusedUnread()
    {
        using var r = new GuardedRegion((int)RecordRing.RegionSize(DataSize));
        var (p, c) = Ring(r, limit: 100_000);
        Assert.True(p.TryWrite(new byte[Frame.MaxFrameSize + 1]).IsOk);
        var res = new FrameReader(c).TryRead(out _);
        Assert.Equal(FrameError.Oversized, res.Error);
        Assert.Equal(FrameError.WouldBlock, new FrameReader(c).TryRead(out _).Error);
    }

    [Fact]
    public void ABrokenRingIsARingFaultAndNothingIsConsumed()
    {
        using var r = new GuardedRegion((int)RecordRing.RegionSize(DataSize));
        var (_, c) = Ring(r);
        r.Word(RecordRing.ProdOffset) = DataSize + 8;
        var res = new FrameReader(c).TryRead(out _);
        Assert.Equal(FrameError.RingFault, res.Error);
        Assert.Contains("more than the ring", res.Detail, StringComparison.Ordinal);
        Assert.Equal(0u, c.Index);
        r.CheckGuards();
    }
}
