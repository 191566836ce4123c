using System.Text;
using Micro.XenStore.Connections;
using Micro.XenStore.Service;
using Micro.XenStore.Wire;

namespace Micro.XenStore.Tests;

/// <summary>A guest domain's connection inside the real service; what it is sent is decoded back.</summary>
internal sealed class GuestConnection(uint domid) : Connection(domid, privileged: domid == 0)
{
    public List<string> Drain()
    {
        var result = new List<string>();
        while (TryPeekOutput(out var frame))
        {
            DequeueOutput();
            uint type = XsClient.ReadU32(frame, 0);
            string payload = Encoding.UTF8.GetString(frame, 16, frame.Length - 16);
            result.Add(type == (uint)XsMessageType.XS_ERROR ? "error:" + payload.TrimEnd('\0')
                : type == (uint)XsMessageType.XS_WATCH_EVENT ? "event:" + payload : payload);
        }
        return result;
    }
}

/// <summary>Permissions, ownership and quotas as they apply to unprivileged domains (dom0 is exempt).</summary>
public sealed class UnprivilegedDomainTests
{
    private readonly XenStoreService _service = new();

    private GuestConnection Guest(uint domid)
    {
        var c = new GuestConnection(domid);
        _service.Add(c);
        return c;
    }

    private static string Do(XenStoreService s, GuestConnection c, XsMessageType type, string payload, uint tx = 0)
    {
        s.Handle(c, new XsMessage((uint)type, 1, tx, Encoding.UTF8.GetBytes(payload)));
        return c.Drain()[^1];
    }

    private string Do(GuestConnection c, XsMessageType type, string payload, uint tx = 0) => Do(_service, c, type, payload, tx);

    [Fact]
    public void Guests_see_only_what_permissions_allow()
    {
        var dom0 = Guest(0);
        var g5 = Guest(5);
        var g6 = Guest(6);
        Assert.Equal("OK\0", Do(dom0, XsMessageType.XS_WRITE, "/local/domain/5/name\0guest"));
        Assert.Equal("error:EACCES", Do(g5, XsMessageType.XS_READ, "name\0"));
        Assert.Equal("OK\0", Do(dom0, XsMessageType.XS_SET_PERMS, "/local/domain/5\0n0\0b5\0"));
        Assert.Equal("OK\0", Do(dom0, XsMessageType.XS_SET_PERMS, "/local/domain/5/name\0n5\0r6\0"));
        Assert.Equal("guest", Do(g5, XsMessageType.XS_READ, "name\0"));
        Assert.Equal("guest", Do(g6, XsMessageType.XS_READ, "/local/domain/5/name\0"));
        Assert.Equal("error:EACCES", Do(g6, XsMessageType.XS_WRITE, "/local/domain/5/name\0x"));
        Assert.Equal("error:EACCES", Do(g6, XsMessageType.XS_WRITE, "/local/domain/5/other\0x"));
        Assert.Equal("OK\0", Do(g5, XsMessageType.XS_WRITE, "device/vif/0/state\01"));
        Assert.Equal("n5\0b5\0", Do(g5, XsMessageType.XS_GET_PERMS, "device/vif\0")); // the parent's ACL, owned by the creator
        Assert.Equal("error:EPERM", Do(g5, XsMessageType.XS_SET_PERMS, "device\0n6\0"));
        Assert.Equal("OK\0", Do(g5, XsMessageType.XS_SET_PERMS, "device\0n5\0r6\0"));
        Assert.Equal("error:EACCES", Do(g5, XsMessageType.XS_INTRODUCE, "7\00\01\0"));
        Assert.Equal("error:EACCES", Do(g5, XsMessageType.XS_CONTROL, "check\0"));
        Assert.Equal("error:EACCES", Do(g6, XsMessageType.XS_READ, "/tool/nope\0"));
        Assert.Equal("error:ENOENT", Do(g6, XsMessageType.XS_READ, "/local/domain/5/device/nope\0"));
    }

    [Fact]
    public void Watch_events_respect_read_permission()
    {
        var dom0 = Guest(0);
        var g5 = Guest(5);
        Assert.Equal("OK\0", Do(dom0, XsMessageType.XS_WRITE, "/shared\0x"));
        _service.Handle(g5, new XsMessage((uint)XsMessageType.XS_WATCH, 1, 0, "/shared\0t\0"u8.ToArray()));
        Assert.Equal(["OK\0", "event:/shared\0t\0"], g5.Drain());
        Assert.Equal("OK\0", Do(dom0, XsMessageType.XS_WRITE, "/shared\0y"));
        Assert.Empty(g5.Drain());
        Assert.Equal("OK\0", Do(dom0, XsMessageType.XS_SET_PERMS, "/shared\0r0\0"));
        Assert.Equal(["event:/shared\0t\0"], g5.Drain());
        _service.Handle(g5, new XsMessage((uint)XsMessageType.XS_WATCH, 1, 0, "@introduceDomain\0i\0"u8.ToArray()));
        g5.Drain();
        Assert.Equal("OK\0", Do(dom0, XsMessageType.XS_INTRODUCE, "9\00\01\0"));
        Assert.Empty(g5.Drain());
    }

    [Fact]
    public void Quotas_use_xen_defaults_and_errors()
    {
        var dom0 = Guest(0);
        var g5 = Guest(5);
        Do(dom0, XsMessageType.XS_MKDIR, "/local/domain/5\0");
        Do(dom0, XsMessageType.XS_SET_PERMS, "/local/domain/5\0n5\0");

        Assert.Equal("error:ENOSPC", Do(g5, XsMessageType.XS_WRITE, "big\0" + new string('x', 2100)));
        Assert.Equal("error:ENOSPC", Do(g5, XsMessageType.XS_SET_PERMS, "/local/domain/5\0n5\0r1\0r2\0r3\0r4\0r6\0"));

        // As in the C daemon (checked by the conformance suite), a limit of N lets the N+1st through.
        for (int i = 0; i < 129; i++)
            Assert.Equal($"event:w{i}\0t\0", Do(g5, XsMessageType.XS_WATCH, $"w{i}\0t\0")); // the reply, then the first event
        Assert.Equal("error:E2BIG", Do(g5, XsMessageType.XS_WATCH, "w-too-many\0t\0"));

        for (int i = 1; i <= 11; i++)
            Assert.Equal($"{i}\0", Do(g5, XsMessageType.XS_TRANSACTION_START, "\0"));
        Assert.Equal("error:ENOSPC", Do(g5, XsMessageType.XS_TRANSACTION_START, "\0"));
        Assert.Equal("OK\0", Do(g5, XsMessageType.XS_TRANSACTION_END, "F\0", tx: 3));
        Assert.Equal("12\0", Do(g5, XsMessageType.XS_TRANSACTION_START, "\0"));

        string last = "";
        int created = 0;
        for (int i = 0; i < 1100 && !last.StartsWith("error", StringComparison.Ordinal); i++)
        {
            last = Do(g5, XsMessageType.XS_WRITE, $"d{i / 200}/n{i % 200}\0v"); // spread out: a parent's size is limited too
            if (last == "OK\0")
                created++;
        }
        Assert.Equal("error:ENOSPC", last);
        Assert.Equal(1000, _service.Tree.NodesOwnedBy(5));
        Assert.True(created < 1000);
        Assert.Equal("OK\0", Do(dom0, XsMessageType.XS_WRITE, "/local/domain/5/by-dom0\0v"));
    }
}
