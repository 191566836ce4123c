using System.Buffers;
using System.Buffers.Binary;
using MessagePack;
using Micro.Protocol.Framing;
using Micro.Protocol.Messages;

namespace Micro.Kernel.Tests;

/// <summary>The toolstack's domain-control contracts: exact encodings, round trips and every decode error.</summary>
public sealed class DomainControlContractTests
{
    private delegate void Fields(ref MessagePackWriter w);

    /// <summary>A frame of message <paramref name="type"/> whose payload array is written by <paramref name="fields"/>.</summary>
    private static byte[] Frame(MessageType type, Fields fields)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var w = new MessagePackWriter(buffer);
        w.WriteArrayHeader(4);
        w.Write(Micro.Protocol.Framing.Frame.CurrentVersion);
        w.Write((ushort)type);
        w.Write(7UL);
        fields(ref w);
        w.Flush();
        var frame = new byte[4 + buffer.WrittenCount];
        BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)buffer.WrittenCount);
        buffer.WrittenSpan.CopyTo(frame.AsSpan(4));
        return frame;
    }

    private static Message RoundTrip(Message m)
    {
        var frame = new FrameCodec().Encode(m, 7).ToArray();
        var r = FrameCodec.Decode(frame, out var envelope, out int consumed);
        Assert.True(r.IsOk, r.ToString());
        Assert.Equal(frame.Length, consumed);
        return envelope.Message;
    }

    public static TheoryData<Message> Contracts() =>
    [
        new DomainCreate("guest", 64, 2),
        new DomainCreateReply(5),
        new DomainShutdown(5, DomainDeathReason.Watchdog),
        new DomainWriteMemory(5, 0x10_0000, new byte[DomainWriteMemory.MaxDataBytes]),
        new DomainWriteMemory(5, 0, []),
        new DomainSetEntry(5, ulong.MaxValue),
        new DomainList(),
        new DomainListReply([]),
        new DomainListReply([new DomainInfo(5, "a", DomainRunState.Paused, null, 1024, 1, 9)]),
        new DomainGetInfo(5),
        new DomainInfoReply(new DomainInfo(5, "a", DomainRunState.Shutdown, DomainDeathReason.Crash, 1024, 1, 9)),
        new DomainWatch(),
        new DomainDied(5, DomainDeathReason.Destroyed),
        new DomainRings(5),
        new DomainRingsReply(0xFEFFF, 3, 0xFEFFE, 4),
    ];

    [Theory]
    [MemberData(nameof(Contracts))]
    public void Every_domain_control_contract_round_trips(Message m) => Assert.Equal(m, RoundTrip(m));

    [Fact]
    public void Encodings_are_pinned()
    {
        // [version 1, type 66, request 7, [domid 5, reason 1]]
        Assert.Equal("0700000094014207920501", Convert.ToHexString(new FrameCodec().Encode(new DomainShutdown(5, DomainDeathReason.Reboot), 7).Span));
        // [.., type 74, .., [5]] and an info with a nil reason
        Assert.Equal("0600000094014A079105", Convert.ToHexString(new FrameCodec().Encode(new DomainRings(5), 7).Span));
        var info = new FrameCodec().Encode(new DomainInfoReply(new DomainInfo(1, "g", DomainRunState.Running, null, 2, 1, 3)), 7).ToArray();
        Assert.Equal("94014807919701A16701C0020103", Convert.ToHexString(info.AsSpan(4)));
    }

    [Fact]
    public void A_list_that_announces_more_entries_than_it_carries_is_truncated()
    {
        foreach (int n in new[] { 2, DomainListReply.MaxDomains + 1 })
        {
            var frame = Frame(MessageType.DomainListReply, (ref MessagePackWriter w) => { w.WriteArrayHeader(1); w.WriteArrayHeader(n); });
            Assert.Equal(FrameError.Truncated, FrameCodec.Decode(frame, out _, out _).Error);
        }
    }

    [Fact]
    public void A_data_chunk_larger_than_a_frame_allows_is_refused_by_the_sender() =>
        Assert.Throws<InvalidOperationException>(() => new FrameCodec().Encode(new DomainWriteMemory(1, 0, new byte[Micro.Protocol.Framing.Frame.MaxBodySize]), 1));

    public static TheoryData<string, byte[], string> Malformed() => new()
    {
        { "shutdown reason past SHUTDOWN_watchdog", Frame(MessageType.DomainShutdown, (ref MessagePackWriter w) => { w.WriteArrayHeader(2); w.Write(1); w.Write(5); }), "not a SHUTDOWN_* reason" },
        { "shutdown without a reason", Frame(MessageType.DomainShutdown, (ref MessagePackWriter w) => { w.WriteArrayHeader(1); w.Write(1); }), "expected 2 fields" },
        { "memory data as a string", Frame(MessageType.DomainWriteMemory, (ref MessagePackWriter w) => { w.WriteArrayHeader(3); w.Write(1); w.Write(0); w.Write("code"); }), "expected binary data" },
        { "memory data nil", Frame(MessageType.DomainWriteMemory, (ref MessagePackWriter w) => { w.WriteArrayHeader(3); w.Write(1); w.Write(0); w.WriteNil(); }), "expected binary data" },
        { "memory data over the limit", Frame(MessageType.DomainWriteMemory, (ref MessagePackWriter w) => { w.WriteArrayHeader(3); w.Write(1); w.Write(0); w.Write(new byte[DomainWriteMemory.MaxDataBytes + 1]); }), "limit" },
        { "negative address", Frame(MessageType.DomainWriteMemory, (ref MessagePackWriter w) => { w.WriteArrayHeader(3); w.Write(1); w.Write(-1); w.Write(new byte[1]); }), "number out of range" },
        { "entry is a string", Frame(MessageType.DomainSetEntry, (ref MessagePackWriter w) => { w.WriteArrayHeader(2); w.Write(1); w.Write("0x100000"); }), "" },
        { "list with an argument", Frame(MessageType.DomainList, (ref MessagePackWriter w) => { w.WriteArrayHeader(1); w.Write(1); }), "expected 0 fields" },
        { "list reply not an array", Frame(MessageType.DomainListReply, (ref MessagePackWriter w) => { w.WriteArrayHeader(1); w.Write(3); }), "expected an array" },
                { "info with a bad state", Frame(MessageType.DomainInfoReply, (ref MessagePackWriter w) => { w.WriteArrayHeader(1); w.WriteArrayHeader(7); w.Write(1); w.Write("g"); w.Write(9); w.WriteNil(); w.Write(1); w.Write(1); w.Write(1); }), "not a domain state" },
        { "info with a bad reason", Frame(MessageType.DomainInfoReply, (ref MessagePackWriter w) => { w.WriteArrayHeader(1); w.WriteArrayHeader(7); w.Write(1); w.Write("g"); w.Write(3); w.Write(6); w.Write(1); w.Write(1); w.Write(1); }), "not a death reason" },
        { "info name too long", Frame(MessageType.DomainInfoReply, (ref MessagePackWriter w) => { w.WriteArrayHeader(1); w.WriteArrayHeader(7); w.Write(1); w.Write(new string('x', 65)); w.Write(1); w.WriteNil(); w.Write(1); w.Write(1); w.Write(1); }), "limit 64" },
        { "info with 6 fields", Frame(MessageType.DomainInfoReply, (ref MessagePackWriter w) => { w.WriteArrayHeader(1); w.WriteArrayHeader(6); w.Write(1); w.Write("g"); w.Write(1); w.WriteNil(); w.Write(1); w.Write(1); }), "expected 7 fields" },
        { "watch with an argument", Frame(MessageType.DomainWatch, (ref MessagePackWriter w) => { w.WriteArrayHeader(1); w.Write(0); }), "expected 0 fields" },
        { "rings domid overflows", Frame(MessageType.DomainRings, (ref MessagePackWriter w) => { w.WriteArrayHeader(1); w.Write(65536); }), "" },
        { "rings reply port negative", Frame(MessageType.DomainRingsReply, (ref MessagePackWriter w) => { w.WriteArrayHeader(4); w.Write(1); w.Write(-1); w.Write(1); w.Write(1); }), "" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_domain_control_messages_are_refused_with_a_precise_error(string what, byte[] frame, string detail)
    {
        var r = FrameCodec.Decode(frame, out var envelope, out int consumed);
        Assert.True(r.Error == FrameError.Malformed, $"{what}: {r}");
        Assert.Contains(detail, r.Detail, StringComparison.Ordinal);
        Assert.Equal(frame.Length, consumed);
        Assert.Null(envelope.Message);
    }
}
