using System.Text;
using Micro.XenStore.Wire;

namespace Micro.XenStore.Tests;

/// <summary>Malformed and hostile input to the daemon process: a Xen error or a closed connection, never a crash.</summary>
public sealed class BadInputTests
{
    [Fact]
    public void Oversized_payload_closes_only_that_connection()
    {
        using var ours = Daemon.Ours();
        using var victim = ours.Connect();
        using var bystander = ours.Connect();
        var header = XsMessage.Encode((uint)XsMessageType.XS_READ, 1, 0, []);
        BitConverter.TryWriteBytes(header.AsSpan(12), 4097u);
        victim.SendRaw(header);
        victim.SendRaw(new byte[4097]);
        victim.ReceiveUntilQuiet(300);
        Assert.True(victim.Closed);
        Assert.Equal("", bystander.Request(XsMessageType.XS_READ, "/tool\0"));
    }

    [Fact]
    public void Malformed_requests_get_xen_errors()
    {
        using var ours = Daemon.Ours();
        using var c = ours.Connect();
        Assert.Equal("error:EINVAL", c.Request(XsMessageType.XS_READ, "/tool"));        // no NUL: the C daemon aborts here
        Assert.Equal("error:EINVAL", c.Request(XsMessageType.XS_RM, "/tool"));
        Assert.Equal("error:EINVAL", c.Request(XsMessageType.XS_WRITE, "/tool"));
        Assert.Equal("error:EINVAL", c.Request(XsMessageType.XS_DIRECTORY, ""));
        Assert.Equal("error:EINVAL", c.Request(XsMessageType.XS_READ, "/" + new string('x', 3100) + "\0"));
        Assert.Equal("error:EINVAL", c.Request(XsMessageType.XS_READ, "/a\u00e9\0"));
        Assert.Equal("error:ENOSYS", c.Request((XsMessageType)12345, "x\0"));
        Assert.Equal("error:ENOENT", c.Request(XsMessageType.XS_READ, "/tool\0", txId: 77));
        Assert.Equal("error:ENOENT", c.Request(XsMessageType.XS_TRANSACTION_END, "T\0", txId: 77));
        Assert.Equal("error:EINVAL", c.Request(XsMessageType.XS_SET_PERMS, "/tool\0r99999999999\0"));
        Assert.Equal("", c.Request(XsMessageType.XS_READ, "/tool\0"));
    }

    [Fact]
    public void Random_garbage_never_kills_the_daemon()
    {
        using var ours = Daemon.Ours();
        var rng = new Random(1234);
        for (int round = 0; round < 40; round++)
        {
            using var c = ours.Connect();
            for (int i = 0; i < 20; i++)
            {
                uint type = (uint)rng.Next(0, 25);
                var payload = new byte[rng.Next(0, 64)];
                rng.NextBytes(payload);
                if (rng.Next(3) == 0)
                    payload = Encoding.UTF8.GetBytes("/g" + rng.Next(100) + "\0" + rng.Next(10) + "\0");
                c.Send(type, payload, (uint)i, rng.Next(4) == 0 ? (uint)rng.Next(3) : 0);
            }
            if (rng.Next(4) == 0)
            {
                var junk = new byte[rng.Next(1, 40)];
                rng.NextBytes(junk);
                c.SendRaw(junk);
            }
            c.ReceiveUntilQuiet(5);
        }
        using var check = ours.Connect();
        Assert.Equal("", check.Request(XsMessageType.XS_READ, "/tool\0"));
        Assert.False(ours.Process.HasExited);
    }

    [Fact]
    public void A_client_that_never_reads_does_not_stall_others()
    {
        using var ours = Daemon.Ours();
        using var sleeper = ours.Connect();
        using var writer = ours.Connect();
        Assert.Equal("OK\0", sleeper.Request(XsMessageType.XS_WATCH, "/busy\0t\0"));
        string value = new('v', 4000);
        for (int i = 0; i < 3000; i++)
            writer.Send(XsMessageType.XS_WRITE, $"/busy/{i % 50}\0{value}", (uint)i);
        for (int i = 0; i < 3000; i++)
            writer.ReceiveReply();
        Assert.Equal("", writer.Request(XsMessageType.XS_READ, "/tool\0"));
    }
}
