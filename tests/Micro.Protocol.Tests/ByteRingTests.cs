using Micro.Fuzz;
using Micro.Protocol.Rings;

namespace Micro.Protocol.Tests;

public unsafe class ByteRingTests
{
    private const uint Size = 64;

    // Layout for the tests: data[64] at 0, cons at 64, prod at 68.
    private static ByteRing Ring(GuardedRegion r) => new(r.Pointer, Size, (uint*)(r.Pointer + 64), (uint*)(r.Pointer + 68));

    [Fact]
    public void BytesComeOutInOrderAcrossManyWraps()
    {
        using var r = new GuardedRegion(72);
        var ring = Ring(r);
        var rng = new Random(1);
        byte next = 0, expect = 0;
        var buf = new byte[100];
        for (int i = 0; i < 10_000; i++)
        {
            int n = rng.Next(0, 70);
            var chunk = new byte[n];
            for (int k = 0; k < n; k++)
                chunk[k] = (byte)(next + k);
            var w = ring.Write(chunk);
            Assert.True(w.IsOk, w.Describe());
            next += (byte)w.Count;
            var rd = ring.Read(buf.AsSpan(0, rng.Next(0, 100)));
            Assert.True(rd.IsOk, rd.Describe());
            for (int k = 0; k < rd.Count; k++)
                Assert.Equal(expect++, buf[k]);
        }
        r.CheckGuards();
    }

    [Fact]
    public void WriteStopsWhenFullAndReadWhenEmpty()
    {
        using var r = new GuardedRegion(72);
        var ring = Ring(r);
        Assert.Equal(64, ring.Write(new byte[100]).Count);
        Assert.Equal(0, ring.Write(new byte[1]).Count);
        Assert.Equal(64, ring.Read(new byte[100]).Count);
        Assert.Equal(0, ring.Read(new byte[1]).Count);
    }

    [Theory]
    [InlineData(10u, 11u, RingError.ProducerBehindConsumer)]
    [InlineData(100u, 0u, RingError.IndexDistanceTooLarge)]
    [InlineData(0x8000_0000u, 0u, RingError.ProducerBehindConsumer)]
    [InlineData(0xFFFF_FFFFu, 0u, RingError.ProducerBehindConsumer)]
    public void InconsistentIndicesAreRefusedOnBothSides(uint prod, uint cons, RingError expected)
    {
        using var r = new GuardedRegion(72);
        var ring = Ring(r);
        r.Word(64) = cons;
        r.Word(68) = prod;
        var read = ring.Read(new byte[1000]);
        var write = ring.Write(new byte[1000]);
        Assert.Equal(expected, read.Error);
        Assert.Equal(expected, write.Error);
        Assert.True(read.IsFault);
        Assert.Contains($"0x{prod:x}", read.Describe(), StringComparison.Ordinal);
        Assert.Equal(expected, ring.Readable().Error);
        Assert.Equal(expected, ring.Writable().Error);
        // Indices untouched, nothing outside the region touched.
        Assert.Equal(cons, r.Word(64));
        Assert.Equal(prod, r.Word(68));
        r.CheckGuards();
    }

    [Fact]
    public void ANonPowerOfTwoSizeIsRefused()
    {
        using var r = new GuardedRegion(72);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ByteRing(r.Pointer, 48, (uint*)(r.Pointer + 64), (uint*)(r.Pointer + 68)));
    }
}
