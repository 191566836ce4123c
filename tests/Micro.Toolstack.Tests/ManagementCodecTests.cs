using Micro.Toolstack.Management;

namespace Micro.Toolstack.Tests;

public class ManagementCodecTests
{
    [Fact]
    public void Requests_and_replies_round_trip()
    {
        var request = new ManagementRequest(ManagementVerb.Create, "t", "a.cfg", [1, 2, 3], ["memory=64", "vcpus=2"], Paused: true);
        var decoded = ManagementCodec.DecodeRequest(ManagementCodec.Encode(request, 42), out ulong id, out string? error);
        Assert.True(decoded is not null, error);
        Assert.Equal(42ul, id);
        Assert.Equal((request.Verb, request.Target, request.File, request.Paused), (decoded!.Verb, decoded.Target, decoded.File, decoded.Paused));
        Assert.Equal(request.Config, decoded.Config);
        Assert.Equal(request.Overrides, decoded.Overrides);

        var status = new DomainStatus(7, "web", "6a0b1c2d-3e4f-5061-7283-94a5b6c7d8e9", 64, 2, "r-----", 1.5, "/run/d7.log", "{}");
        var reply = ManagementCodec.DecodeReply(ManagementCodec.Encode(new ManagementReply(false, "why", ["a:1:1: error: x"], [status]), 9), out id, out error);
        Assert.True(reply is not null, error);
        Assert.Equal((9ul, false, "why"), (id, reply!.Ok, reply.Error));
        Assert.Equal(["a:1:1: error: x"], reply.Diagnostics);
        Assert.Equal(status, Assert.Single(reply.Domains));
    }

    [Fact]
    public void Every_truncation_of_a_request_is_refused_with_a_position()
    {
        byte[] full = ManagementCodec.Encode(new ManagementRequest(ManagementVerb.Create, "t", "a.cfg", [1, 2, 3], ["memory=64"]), 1);
        for (int n = 0; n < full.Length; n++)
        {
            Assert.Null(ManagementCodec.DecodeRequest(full.AsMemory(0, n), out _, out string? error));
            Assert.StartsWith("malformed request at byte ", error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Out_of_range_fields_are_refused()
    {
        Assert.Null(ManagementCodec.DecodeRequest(ManagementCodec.Encode(new ManagementRequest((ManagementVerb)99), 1), out _, out string? error));
        Assert.Contains("verb 99 is not a management verb", error, StringComparison.Ordinal);
        byte[] big = new byte[ManagementCodec.MaxConfigBytes + 1];
        Assert.Null(ManagementCodec.DecodeRequest(ManagementCodec.Encode(new ManagementRequest(ManagementVerb.Create, Config: big), 1), out _, out error));
        Assert.Contains($"config: {big.Length} bytes, limit {ManagementCodec.MaxConfigBytes}", error, StringComparison.Ordinal);
        byte[] trailing = [.. ManagementCodec.Encode(new ManagementRequest(ManagementVerb.List), 1), 0xC0];
        Assert.Null(ManagementCodec.DecodeRequest(trailing, out _, out error));
        Assert.Contains("1 bytes after the message", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(99);
        byte[] seed = ManagementCodec.Encode(new ManagementRequest(ManagementVerb.Create, "t", "a.cfg", [1, 2, 3], ["memory=64"]), 1);
        for (int i = 0; i < 5000; i++)
        {
            byte[] bytes = i % 2 == 0 ? (byte[])seed.Clone() : new byte[random.Next(0, 64)];
            if (i % 2 == 0)
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            else
                random.NextBytes(bytes);
            var request = ManagementCodec.DecodeRequest(bytes, out _, out string? error);
            Assert.True(request is not null || error is not null);
            var reply = ManagementCodec.DecodeReply(bytes, out _, out error);
            Assert.True(reply is not null || error is not null);
        }
    }
}
