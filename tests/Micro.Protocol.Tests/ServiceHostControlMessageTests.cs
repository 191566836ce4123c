using Micro.Protocol.Hosting;

namespace Micro.Protocol.Tests;

/// <summary>The control-socket message layout, and every way a peer can get it wrong.</summary>
public class ServiceHostControlMessageTests
{
    private static byte[] Encode(ControlMessage m)
    {
        var buffer = new byte[ControlMessage.MaxSize];
        return buffer[..m.Encode(buffer)];
    }

    private static string Error(ReadOnlySpan<byte> data, int fds = 0)
    {
        Assert.False(ControlMessage.TryDecode(data, fds, out _, out string error));
        return error;
    }

    [Fact]
    public void MessagesRoundTrip()
    {
        var m = new ControlMessage(ControlKind.Memory, 1 << 20, "ring-0");
        var bytes = Encode(m);
        Assert.Equal(16 + 6, bytes.Length);
        Assert.True(ControlMessage.TryDecode(bytes, 1, out var back, out _));
        Assert.Equal(m, back);
        Assert.True(ControlMessage.TryDecode(Encode(new ControlMessage(ControlKind.Ping, ulong.MaxValue, "")), 0, out var ping, out _));
        Assert.Equal(ulong.MaxValue, ping.Argument);
    }

    [Fact]
    public void EveryMalformedShapeIsNamed()
    {
        var good = Encode(new ControlMessage(ControlKind.Hello, 1, "svc"));
        Assert.Equal("control message of 15 bytes is shorter than its 16-byte header", Error(good.AsSpan(0, 15)));
        Assert.Equal($"control message of {ControlMessage.MaxSize + 1} bytes exceeds {ControlMessage.MaxSize}", Error(new byte[ControlMessage.MaxSize + 1]));

        var badMagic = (byte[])good.Clone();
        badMagic[0] ^= 1;
        Assert.Equal("bad control magic 0x4C54434C", Error(badMagic));

        var badVersion = (byte[])good.Clone();
        badVersion[4] = 9;
        Assert.Equal("control protocol version 9 is not 1", Error(badVersion));

        var badKind = (byte[])good.Clone();
        badKind[6] = 0xEE;
        Assert.Equal("unknown control message kind 238", Error(badKind));

        Assert.Equal("Hello carries 0 fds, got 1", Error(good, fds: 1));
        Assert.Equal("EventChannelNotifier carries 2 fds, got 1", Error(Encode(new ControlMessage(ControlKind.EventChannelNotifier, 3, "n")), fds: 1));

        var badUtf8 = good[..16].Concat(new byte[] { 0xC3, 0x28 }).ToArray();
        Assert.Equal("Hello text is not valid UTF-8", Error(badUtf8));
        var control = good[..16].Concat(new byte[] { (byte)'a', 0x07 }).ToArray();
        Assert.Equal("Hello text contains control character 0x07", Error(control));
        Assert.Equal("Hello needs a name", Error(good.AsSpan(0, 16)));
    }

    [Fact]
    public void EncodingCutsLongTextAndReplacesControlCharacters()
    {
        var bytes = Encode(new ControlMessage(ControlKind.Error, 0, "bad\nline" + new string('x', 500)));
        Assert.Equal(ControlMessage.MaxSize, bytes.Length);
        Assert.True(ControlMessage.TryDecode(bytes, 0, out var m, out _));
        Assert.StartsWith("bad?linexxx", m.Text, StringComparison.Ordinal);
    }
}
