using Micro.Protocol.Rings;

namespace Micro.Protocol.Tests;

public class RingIndicesTests
{
    [Theory]
    [InlineData(0u, 0u, RingError.None)]
    [InlineData(1024u, 0u, RingError.None)]
    [InlineData(1025u, 0u, RingError.IndexDistanceTooLarge)]
    [InlineData(0u, 1u, RingError.ProducerBehindConsumer)]
    [InlineData(5u, 0xFFFF_FFFEu, RingError.None)] // wrapped at 2^32: 7 bytes in the ring
    [InlineData(0xFFFF_FFFEu, 5u, RingError.ProducerBehindConsumer)]
    [InlineData(0x8000_0000u, 0u, RingError.ProducerBehindConsumer)]
    [InlineData(0x7FFF_FFFFu, 0u, RingError.IndexDistanceTooLarge)]
    public void CheckAcceptsOnlyADistanceWithinTheRing(uint prod, uint cons, RingError expected)
        => Assert.Equal(expected, RingIndices.Check(prod, cons, 1024));

    [Theory]
    [InlineData(0u, false)]
    [InlineData(7u, false)]
    [InlineData(8u, true)]
    [InlineData(1000u, false)]
    [InlineData(1024u, true)]
    [InlineData(1u << 30, true)]
    [InlineData(1u << 31, false)]
    public void SizesArePowersOfTwo(uint size, bool valid) => Assert.Equal(valid, RingIndices.IsValidSize(size));

    [Theory]
    [InlineData(10u, 20u, 11u, true)]
    [InlineData(10u, 20u, 20u, true)]
    [InlineData(10u, 20u, 10u, false)]
    [InlineData(10u, 20u, 21u, false)]
    [InlineData(0xFFFF_FFF0u, 0x10u, 0u, true)] // the event index lies across the 2^32 wrap
    [InlineData(0xFFFF_FFF0u, 0x10u, 0xFFFF_FFF0u, false)]
    public void CrossedEventIsTheHalfOpenInterval(uint old, uint now, uint ev, bool crossed)
        => Assert.Equal(crossed, RingIndices.CrossedEvent(old, now, ev));

    [Theory]
    [InlineData(0u, 8u)]
    [InlineData(4u, 8u)]
    [InlineData(5u, 16u)]
    [InlineData(60u, 64u)]
    [InlineData(61u, 72u)]
    public void RecordsOccupyMultiplesOfEight(uint payload, uint span) => Assert.Equal(span, RingIndices.RecordSpan(payload));
}
