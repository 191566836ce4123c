using System.Buffers;
using System.Buffers.Binary;
using MessagePack;
using Micro.Fuzz;
using Micro.Protocol.Framing;
using Micro.Protocol.Messages;

namespace Micro.Protocol.Tests;

public class FrameCodecTests
{
    public static TheoryData<int> SampleIndices()
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < MessageSamples.All.Length; i++)
            data.Add(i);
        return data;
    }

    [Theory]
    [MemberData(nameof(SampleIndices))]
    public void EveryMessageRoundTrips(int index)
    {
        var message = MessageSamples.All[index];
        var frame = new FrameCodec().Encode(message, 0x1122_3344_5566_7788).ToArray();
        var result = FrameCodec.Decode(frame, out var envelope, out int consumed);
        Assert.True(result.IsOk, result.ToString());
        Assert.Equal(frame.Length, consumed);
        Assert.Equal(message, envelope.Message);
        Assert.Equal(message.Type, envelope.Type);
        Assert.Equal(0x1122_3344_5566_7788ul, envelope.RequestId);
        Assert.Equal(Frame.CurrentVersion, envelope.Version);
    }

    [Fact]
    public void EveryDeclaredTypeHasASample()
    {
        var covered = MessageSamples.All.Select(m => m.Type).ToHashSet();
        foreach (var type in Enum.GetValues<MessageType>())
            Assert.True(covered.Contains(type), $"{type} has no sample in MessageSamples");
    }

    [Fact]
    public void FramesDecodeOneAfterAnotherFromAStream()
    {
        var codec = new FrameCodec();
        var stream = new List<byte>();
        foreach (var m in MessageSamples.All)
            stream.AddRange(codec.Encode(m, 1).ToArray());
        ReadOnlyMemory<byte> rest = stream.ToArray();
        int n = 0;
        while (!rest.IsEmpty)
        {
            Assert.True(FrameCodec.Decode(rest, out var env, out int consumed).IsOk);
            Assert.Equal(MessageSamples.All[n++], env.Message);
            rest = rest[consumed..];
        }
        Assert.Equal(MessageSamples.All.Length, n);
    }

    [Fact]
    public void AShortPrefixOrBodyIsIncomplete()
    {
        var frame = new FrameCodec().Encode(new EvtchnSend(1), 1).ToArray();
        Assert.Equal(FrameError.Incomplete, FrameCodec.Decode(frame.AsMemory(0, 3), out _, out int c).Error);
        Assert.Equal(0, c);
        var r = FrameCodec.Decode(frame.AsMemory(0, frame.Length - 1), out _, out _);
        Assert.Equal(FrameError.Incomplete, r.Error);
        Assert.False(r.IsFault);
    }

    [Fact]
    public void AnOversizedPrefixIsRefusedBeforeReading()
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, Frame.MaxBodySize + 1);
        var r = FrameCodec.Decode(bytes, out _, out int consumed);
        Assert.Equal(FrameError.Oversized, r.Error);
        Assert.Contains("65537", r.Detail, StringComparison.Ordinal);
        Assert.Equal(0, consumed);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, uint.MaxValue);
        Assert.Equal(FrameError.Oversized, FrameCodec.Decode(bytes, out _, out _).Error);
    }

    [Fact]
    public void ABodyCutShortIsTruncated()
    {
        var frame = new FrameCodec().Encode(new Hello("console", 7, 1), 9).ToArray();
        for (int cut = 1; cut < frame.Length - Frame.PrefixSize; cut++)
        {
            var shorter = frame.AsSpan(0, frame.Length - cut).ToArray();
            BinaryPrimitives.WriteUInt32LittleEndian(shorter, (uint)(shorter.Length - Frame.PrefixSize));
            var r = FrameCodec.Decode(shorter, out _, out _);
            Assert.True(r.Error == FrameError.Truncated, $"cut {cut}: {r}");
        }
    }

    [Fact]
    public void AnUnsupportedVersionIsNamed()
    {
        var codec = new FrameCodec();
        var r = FrameCodec.Decode(codec.Encode(new EvtchnSend(1), 1, version: 2).ToArray(), out _, out _);
        Assert.Equal(FrameError.UnsupportedVersion, r.Error);
        Assert.Contains("version 2", r.Detail, StringComparison.Ordinal);
        Assert.Equal(FrameError.UnsupportedVersion, FrameCodec.Decode(codec.Encode(new EvtchnSend(1), 1, version: 0).ToArray(), out _, out _).Error);
    }

    [Fact]
    public void AnUnknownTypeIsNamed()
    {
        var r = FrameCodec.Decode(Body((ref MessagePackWriter w) => { w.Write(1); w.Write(999); w.Write(1); w.WriteArrayHeader(0); }, 4), out _, out _);
        Assert.Equal(FrameError.UnknownType, r.Error);
        Assert.Contains("999", r.Detail, StringComparison.Ordinal);
    }

    public static TheoryData<string, byte[]> MalformedBodies() => new()
    {
        { "not an array", Raw((ref MessagePackWriter w) => w.Write("hello")) },
        { "3 fields", Body((ref MessagePackWriter w) => { w.Write(1); w.Write(22); w.Write(1); }, 3) },
        { "5 fields", Body((ref MessagePackWriter w) => { w.Write(1); w.Write(22); w.Write(1); w.WriteArrayHeader(1); w.Write(1); w.Write(0); }, 5) },
        { "version is a string", Body((ref MessagePackWriter w) => { w.Write("1"); w.Write(22); w.Write(1); w.WriteArrayHeader(1); w.Write(1); }, 4) },
        { "version overflows u16", Body((ref MessagePackWriter w) => { w.Write(70000); w.Write(22); w.Write(1); w.WriteArrayHeader(1); w.Write(1); }, 4) },
        { "negative request id", Body((ref MessagePackWriter w) => { w.Write(1); w.Write(22); w.Write(-1); w.WriteArrayHeader(1); w.Write(1); }, 4) },
        { "message has 2 fields", Body((ref MessagePackWriter w) => { w.Write(1); w.Write(22); w.Write(1); w.WriteArrayHeader(2); w.Write(1); w.Write(2); }, 4) },
        { "message is a map", Body((ref MessagePackWriter w) => { w.Write(1); w.Write(22); w.Write(1); w.WriteMapHeader(1); w.Write(1); w.Write(2); }, 4) },
        { "port is a string", Body((ref MessagePackWriter w) => { w.Write(1); w.Write(22); w.Write(1); w.WriteArrayHeader(1); w.Write("x"); }, 4) },
        { "domid overflows u16", Body((ref MessagePackWriter w) => { w.Write(1); w.Write(62); w.Write(1); w.WriteArrayHeader(1); w.Write(65536); }, 4) },
        { "name too long", Body((ref MessagePackWriter w) => { w.Write(1); w.Write(1); w.Write(1); w.WriteArrayHeader(3); w.Write(new string('n', 65)); w.Write(1); w.Write(1); }, 4) },
        { "name is nil", Body((ref MessagePackWriter w) => { w.Write(1); w.Write(1); w.Write(1); w.WriteArrayHeader(3); w.WriteNil(); w.Write(1); w.Write(1); }, 4) },
        { "bad death reason", Body((ref MessagePackWriter w) => { w.Write(1); w.Write(65); w.Write(1); w.WriteArrayHeader(2); w.Write(1); w.Write(9); }, 4) },
        { "bad ioreq kind", Body((ref MessagePackWriter w) => { w.Write(1); w.Write(83); w.Write(1); w.WriteArrayHeader(4); w.Write(1); w.Write(2); w.Write(0); w.Write(1); }, 4) },
        { "ioreq range reversed", Body((ref MessagePackWriter w) => { w.Write(1); w.Write(83); w.Write(1); w.WriteArrayHeader(4); w.Write(1); w.Write(0); w.Write(9); w.Write(1); }, 4) },
        { "trailing bytes", Trail(Body((ref MessagePackWriter w) => { w.Write(1); w.Write(22); w.Write(1); w.WriteArrayHeader(1); w.Write(1); }, 4), 0xC0) },
        { "invalid MessagePack byte", Frame0([0x94, 0x01, 0x16, 0x01, 0xC1]) },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public void MalformedBodiesAreRejectedWithAReason(string what, byte[] frame)
    {
        var r = FrameCodec.Decode(frame, out var env, out int consumed);
        Assert.True(r.Error == FrameError.Malformed, $"{what}: {r}");
        Assert.False(string.IsNullOrEmpty(r.Detail));
        Assert.DoesNotContain("unexpected", r.Detail, StringComparison.Ordinal);
        Assert.Equal(frame.Length, consumed);
        Assert.Null(env.Message);
    }

    [Fact]
    public void AnEmptyBodyIsTruncated() => Assert.Equal(FrameError.Truncated, FrameCodec.Decode(new byte[4], out _, out _).Error);

    private delegate void WriteBody(ref MessagePackWriter writer);

    private static byte[] Raw(WriteBody write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        write(ref writer);
        writer.Flush();
        return Frame0(buffer.WrittenSpan.ToArray());
    }

    private static byte[] Body(WriteBody write, int fields)
        => Raw((ref MessagePackWriter w) => { w.WriteArrayHeader(fields); write(ref w); });

    private static byte[] Frame0(byte[] body)
    {
        var frame = new byte[Frame.PrefixSize + body.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)body.Length);
        body.CopyTo(frame, Frame.PrefixSize);
        return frame;
    }

    private static byte[] Trail(byte[] frame, byte extra)
        => Frame0([.. frame.AsSpan(Frame.PrefixSize).ToArray(), extra]);
}
