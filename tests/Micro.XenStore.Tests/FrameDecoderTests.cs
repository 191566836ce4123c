using Micro.XenStore.Wire;

namespace Micro.XenStore.Tests;

public sealed class FrameDecoderTests
{
    [Fact]
    public void Messages_split_at_every_byte_are_reassembled()
    {
        var a = XsMessage.Encode(2, 1, 3, "/x\0"u8);
        var b = XsMessage.Encode(11, 2, 0, "/y\0value"u8);
        byte[] stream = [.. a, .. b];
        var decoder = new XsFrameDecoder();
        var got = new List<XsMessage>();
        foreach (byte x in stream)
            Assert.True(decoder.Feed([x], got.Add));
        Assert.Equal(2, got.Count);
        Assert.Equal((2u, 1u, 3u), (got[0].Type, got[0].ReqId, got[0].TxId));
        Assert.Equal("/y\0value"u8.ToArray(), got[1].Payload);
    }

    [Fact]
    public void Oversized_length_is_rejected_with_a_reason()
    {
        var frame = XsMessage.Encode(2, 1, 0, []);
        BitConverter.TryWriteBytes(frame.AsSpan(12), uint.MaxValue);
        var decoder = new XsFrameDecoder();
        Assert.False(decoder.Feed(frame, _ => Assert.Fail("no message expected")));
        Assert.Contains("exceeds 4096", decoder.Error, StringComparison.Ordinal);
        Assert.False(decoder.Feed(new byte[16], _ => Assert.Fail("no message expected")));
    }

    [Fact]
    public void Payload_of_exactly_4096_bytes_is_accepted()
    {
        var frame = XsMessage.Encode(11, 1, 0, new byte[4096]);
        var decoder = new XsFrameDecoder();
        int n = 0;
        Assert.True(decoder.Feed(frame, _ => n++));
        Assert.Equal(1, n);
    }
}
