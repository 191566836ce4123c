using Micro.Console.Clients;
using Micro.Console.Consoles;
using Micro.Console.Daemon;
using Micro.Console.Provisioning;

namespace Micro.Console.Tests;

/// <summary>The parsers of untrusted names and packets, the rate rule and the backlog, in process.</summary>
public sealed class UnitTests
{
    [Theory]
    [InlineData("console/0/page", SourceKind.Console, 0, CapabilityRole.Page)]
    [InlineData("uart/32751/kick", SourceKind.Uart, 32751, CapabilityRole.Kick)]
    [InlineData("console/7/notify", SourceKind.Console, 7, CapabilityRole.Notify)]
    public void CapabilityNamesParse(string text, SourceKind kind, int domid, CapabilityRole role)
    {
        Assert.True(CapabilityName.TryParse(text, out var name, out _));
        Assert.Equal(new CapabilityName(kind, domid, role), name);
        Assert.Equal(text, name.ToString());
    }

    [Theory]
    [InlineData("console/7", "is not KIND/DOMID/ROLE")]
    [InlineData("console/7/page/x", "is not KIND/DOMID/ROLE")]
    [InlineData("serial/7/page", "kind 'serial' is neither console nor uart")]
    [InlineData("console/07/page", "'07' is not a domid")]
    [InlineData("console/-1/page", "'-1' is not a domid")]
    [InlineData("console/32752/page", "'32752' is not a domid")]
    [InlineData("console/99999999999/page", "is not a domid")]
    [InlineData("console//page", "'' is not a domid")]
    [InlineData("console/7/ring", "role 'ring' is not page, kick or notify")]
    public void BadCapabilityNamesAreRefusedPrecisely(string text, string expected)
    {
        Assert.False(CapabilityName.TryParse(text, out _, out string error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void AttachMessagesRoundTrip()
    {
        var m = AttachMessage.Attach(12, wantInput: true);
        Assert.True(AttachMessage.TryDecodeClient(m, out var kind, out int domid, out bool input, out _));
        Assert.Equal((AttachKind.Attach, 12, true), (kind, domid, input));
        Assert.True(AttachMessage.TryDecodeClient(AttachMessage.Input("ls\n"u8), out kind, out _, out _, out _));
        Assert.Equal(AttachKind.Input, kind);
    }

    public static TheoryData<byte[], string> BadPackets => new()
    {
        { [], "empty packet" },
        { [0x01, 1, 0, 0, 5, 0, 0], "attach message of 7 bytes, expected 8" },
        { [0x01, 1, 0, 0, 5, 0, 0, 0, 0], "attach message of 9 bytes, expected 8" },
        { [0x01, 2, 0, 0, 5, 0, 0, 0], "attach protocol version 2" },
        { [0x01, 1, 2, 0, 5, 0, 0, 0], "unknown bits set" },
        { [0x01, 1, 0, 1, 5, 0, 0, 0], "unknown bits set" },
        { [0x01, 1, 0, 0, 0xF0, 0x7F, 0, 0], "domid 32752 is out of range" },
        { [0x01, 1, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF], "domid 4294967295 is out of range" },
        { [0x02], "input message carries 0 bytes" },
        { [0x02, .. new byte[1025]], "input message carries 1025 bytes" },
        { [0x82, 1, 2], "unknown message kind 0x82" },
        { [0x00], "unknown message kind 0x00" },
    };

    [Theory]
    [MemberData(nameof(BadPackets))]
    public void BadClientPacketsAreRefusedPrecisely(byte[] packet, string expected)
    {
        Assert.False(AttachMessage.TryDecodeClient(packet, out _, out _, out _, out string error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void RandomPacketsNeverThrowAndAreEitherAcceptedOrExplained()
    {
        var random = new Random(5);
        for (int i = 0; i < 20_000; i++)
        {
            var packet = new byte[random.Next(0, 1100)];
            random.NextBytes(packet);
            if (packet.Length > 0 && random.Next(3) == 0)
                packet[0] = (byte)random.Next(1, 3); // aim at the two real kinds often
            bool ok = AttachMessage.TryDecodeClient(packet, out var kind, out int domid, out _, out string error);
            Assert.True(ok ? error.Length == 0 && (kind == AttachKind.Input || DomainIds.IsValid(domid)) : error.Length > 0);
        }
    }

    [Fact]
    public void OptionsParseAndBadOnesAreNamed()
    {
        var o = ConsoleOptions.Parse(["--log-dir", "/l", "--rate", "500/20", "--fsync", "never", "-x", "/xs", "--client-buffer", "9000"], out _, out _)!;
        Assert.Equal(("/l", "/l/attach.sock", 500, 20, false, "/xs", 9000), (o.LogDir, o.AttachSocket, o.RateAllowance, o.RatePeriodMs, o.Sync, o.XenStoreSocket, o.ClientBuffer));
        Assert.Equal(0, ConsoleOptions.Parse(["--rate", "0"], out _, out _)!.RateAllowance);
        Assert.Null(ConsoleOptions.Parse(["--help"], out _, out bool help));
        Assert.True(help);
        foreach (var (args, expected) in new (string[], string)[]
        {
            (["--rate", "5"], "expected BYTES/MS"),
            (["--rate", "5/0"], "expected BYTES/MS"),
            (["--fsync", "sometimes"], "expected always or never"),
            (["--backlog", "12"], "at least 8192"),
            (["--bogus", "x"], "unknown option '--bogus'"),
            (["--log-dir"], "--log-dir needs a value"),
        })
        {
            Assert.Null(ConsoleOptions.Parse(args, out string error, out _));
            Assert.Contains(expected, error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void RateLimitSpendsTheAllowanceThenWaitsForTheNextPeriod()
    {
        var rate = new RateLimit(1000, 200);
        Assert.Equal(1000, rate.Available(0));
        rate.Consume(600);
        Assert.Equal(400, rate.Available(150));
        rate.Consume(400);
        Assert.Equal(0, rate.Available(199));
        Assert.Equal(200, rate.PeriodEndsAt);
        Assert.Equal(1, rate.Throttled);
        Assert.Equal(1000, rate.Available(200));
        Assert.Equal(int.MaxValue, new RateLimit(0, 200).Available(0));
    }

    [Fact]
    public void BacklogKeepsTheNewestBytesInOrder()
    {
        var backlog = new Backlog(8);
        backlog.Append("abc"u8);
        Assert.Equal("abc"u8.ToArray(), backlog.ToArray());
        backlog.Append("defgh"u8);
        Assert.Equal("abcdefgh"u8.ToArray(), backlog.ToArray());
        backlog.Append("ij"u8);
        Assert.Equal("cdefghij"u8.ToArray(), backlog.ToArray());
        backlog.Append("0123456789"u8);
        Assert.Equal("23456789"u8.ToArray(), backlog.ToArray());
        backlog.Append("x"u8);
        Assert.Equal("3456789x"u8.ToArray(), backlog.ToArray());
    }
}
