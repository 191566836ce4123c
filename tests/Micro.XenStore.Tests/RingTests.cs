using System.Text;
using Micro.Protocol.Os;
using Micro.Protocol.Xen;
using Micro.XenStore.Wire;
using static Micro.XenStore.Wire.XsMessageType;

namespace Micro.XenStore.Tests;

/// <summary>
/// Guests' xenstore rings served by the daemon (a real process); the guest side is this test process,
/// over a shared memfd page and eventfds offered through the daemon's ring socket.
/// </summary>
public sealed unsafe class RingTests
{
    /// <summary>What a toolstack does: the domain's home, owned by it, then XS_INTRODUCE.</summary>
    internal static void Introduce(XsClient dom0, uint domid)
    {
        Assert.Equal("OK\0", dom0.Request(XS_MKDIR, $"/local/domain/{domid}\0"));
        Assert.Equal("OK\0", dom0.Request(XS_SET_PERMS, $"/local/domain/{domid}\0n0\0b{domid}\0"));
        Assert.Equal("OK\0", dom0.Request(XS_INTRODUCE, $"{domid}\0{1000 + domid}\0{10 + domid}\0"));
    }

    [Fact]
    public void A_guest_talks_to_the_store_over_its_ring_as_an_unprivileged_domain()
    {
        using var daemon = Daemon.Ours();
        using var dom0 = daemon.Connect();
        using var guest = new RingGuest(5);
        Assert.Equal("OK", guest.Attach(daemon.RingSocket));
        // Offered before being introduced: not served yet.
        guest.Send(XS_GET_DOMAIN_PATH, "5\0");
        Assert.Throws<TimeoutException>(() => guest.ReceiveReply(300));
        Assert.Equal(0u, guest.Interface->req_cons);
        Assert.Equal(3u, guest.Interface->server_features); // reconnection + error indicator, advertised at once

        Introduce(dom0, 5);
        Assert.Equal("/local/domain/5\0", Encoding.UTF8.GetString(guest.ReceiveReply().Payload)); // the pending request
        Assert.Equal("OK\0", guest.Request(XS_WRITE, "name\0guest-five"));
        Assert.Equal("guest-five", dom0.Request(XS_READ, "/local/domain/5/name\0"));
        Assert.Equal("n5\0b5\0", guest.Request(XS_GET_PERMS, "name\0")); // the parent's, owned by the creator
        Assert.Equal("error:EACCES", guest.Request(XS_WRITE, "/tool/x\0no"));
        Assert.Equal("error:EACCES", guest.Request(XS_INTRODUCE, "6\01\02\0"));

        // A value larger than the ring crosses it in several fills, both ways.
        string big = new('v', 2000); // under the node-size quota of 2048
        Assert.Equal("OK\0", guest.Request(XS_WRITE, "big\0" + big));
        Assert.Equal(big, guest.Request(XS_READ, "big\0"));
        Assert.Equal("error:ENOSPC", guest.Request(XS_WRITE, "big\0" + new string('v', 2040))); // Xen's node-size quota

        // Watches over the ring: the initial event, then one per change made by dom0.
        Assert.Equal("OK\0", guest.Request(XS_WATCH, "name\0tok\0"));
        guest.CollectEvents(200);
        Assert.Equal("OK\0", dom0.Request(XS_WRITE, "/local/domain/5/name\0renamed"));
        guest.CollectEvents(300);
        Assert.Equal(["name tok", "name tok"], guest.Events);
    }

    [Fact]
    public void A_guest_scribbling_over_ring_indices_is_cut_off_alone_and_may_reconnect()
    {
        using var daemon = Daemon.Ours();
        using var dom0 = daemon.Connect();
        using var bad = new RingGuest(7);
        using var good = new RingGuest(8);
        Assert.Equal("OK", bad.Attach(daemon.RingSocket));
        Assert.Equal("OK", good.Attach(daemon.RingSocket));
        Introduce(dom0, 7);
        Introduce(dom0, 8);
        Assert.Equal("OK\0", bad.Request(XS_WATCH, "/local/domain/7\0w\0"));
        Assert.Equal("OK\0", good.Request(XS_WATCH, "/local/domain/8\0w\0"));

        // The producer index runs more than a ring ahead of the consumer.
        Volatile.Write(ref bad.Interface->req_prod, bad.Interface->req_cons + 5000);
        bad.Kick.Signal();
        WaitFor(() => bad.Ring.Error == XenStoreInterface.XENSTORE_ERROR_RINGIDX);

        // Nobody else noticed.
        Assert.Equal("OK\0", good.Request(XS_WRITE, "/local/domain/8/k\0v"));
        Assert.Equal("v", dom0.Request(XS_READ, "/local/domain/8/k\0"));

        // Reconnection: empty queues, no error, no watches; requests are served again.
        bad.Reconnect();
        Assert.Equal(0u, bad.Ring.Error);
        Assert.Equal(0u, bad.Interface->req_prod);
        Assert.Equal(0u, bad.Interface->rsp_prod);
        Assert.Equal("/local/domain/7", bad.Request(XS_GET_DOMAIN_PATH, "7\0").TrimEnd('\0'));
        Assert.Equal("OK\0", dom0.Request(XS_WRITE, "/local/domain/7/x\0y"));
        bad.CollectEvents(200);
        Assert.Empty(bad.Events); // its watch went with the old connection

        // A reply-ring consumer index beyond what was produced is a fault too.
        Volatile.Write(ref bad.Interface->rsp_cons, 4000);
        bad.Send(XS_GET_DOMAIN_PATH, "7\0");
        WaitFor(() => bad.Ring.Error == XenStoreInterface.XENSTORE_ERROR_RINGIDX);
        bad.Reconnect();

        // A header announcing more than XENSTORE_PAYLOAD_MAX is a protocol error.
        var header = new byte[16];
        BitConverter.TryWriteBytes(header.AsSpan(0), (uint)XS_READ);
        BitConverter.TryWriteBytes(header.AsSpan(12), 5000u);
        bad.Ring.WriteRequest(header);
        bad.Kick.Signal();
        WaitFor(() => bad.Ring.Error == XenStoreInterface.XENSTORE_ERROR_PROTO);
        Assert.Equal("OK\0", good.Request(XS_WRITE, "/local/domain/8/k\0w"));
    }

    /// <summary>
    /// The C daemon sets the same error indicator for a scribbled index and leaves everyone else alone.
    /// One deliberate difference: Xen 4.17's C daemon advertises no server features (it has no ring
    /// reconnection); ours advertises reconnection and the error indicator (tested above).
    /// </summary>
    [Fact]
    public void Hostile_indices_set_the_error_indicator_as_on_the_reference()
    {
        var outcomes = new List<string>();
        // Started one at a time, so a failure leaves no daemon undisposed.
        foreach (var start in new Func<Daemon>[] { Daemon.Reference, () => Daemon.Ours() })
        {
            using (var daemon = start())
            {
                using var dom0 = daemon.Connect();
                using var guest = daemon.Name == "ours"
                    ? new RingGuest(7)
                    : Conformance.ReferenceGuest(daemon, dom0, 7);
                if (daemon.Name == "ours")
                    Assert.Equal("OK", guest.Attach(daemon.RingSocket));
                Introduce(dom0, 7);
                string before = guest.Request(XS_GET_DOMAIN_PATH, "7\0");
                uint features = guest.Interface->server_features;
                Volatile.Write(ref guest.Interface->req_prod, guest.Interface->req_cons + 5000);
                guest.Kick.Signal();
                long deadline = Environment.TickCount64 + 10_000;
                while (guest.Ring.Error == 0 && Environment.TickCount64 < deadline)
                {
                    guest.Poke?.Invoke();
                    Thread.Sleep(2);
                }
                uint error = guest.Ring.Error;
                string others = dom0.Request(XS_READ, "/local/domain/7\0");
                outcomes.Add($"{Conformance.Printable(before)} features={features} error={error} others='{others}'");
            }
        }
        Assert.Equal("/local/domain/7\\0 features=0 error=2 others=''", outcomes[0]);
        Assert.Equal(outcomes[0].Replace("features=0", "features=3", StringComparison.Ordinal), outcomes[1]);
    }

    [Fact]
    public void Bad_offers_are_refused_precisely()
    {
        using var daemon = Daemon.Ours();
        using var guest = new RingGuest(9);
        using var plain = SharedMemory.Create("unsealed-check", 4096);
        Assert.StartsWith("error: attach needs 3 fds", guest.Attach(daemon.RingSocket, fds: [guest.Page!.Fd]), StringComparison.Ordinal);
        Assert.StartsWith("error: expected 'attach DOMID'", guest.Attach(daemon.RingSocket, text: "attach 0"), StringComparison.Ordinal);
        Assert.StartsWith("error: expected 'attach DOMID'", guest.Attach(daemon.RingSocket, text: "attach x"), StringComparison.Ordinal);
        Assert.StartsWith("error: expected 'attach DOMID'", guest.Attach(daemon.RingSocket, text: "hello"), StringComparison.Ordinal);
        Assert.Contains("is not an eventfd", guest.Attach(daemon.RingSocket, fds: [guest.Page!.Fd, guest.Page.Fd, guest.Notify.Fd]), StringComparison.Ordinal);
        Assert.Contains("is not a memfd", guest.Attach(daemon.RingSocket, fds: [guest.Kick.Fd, guest.Kick.Fd, guest.Notify.Fd]), StringComparison.Ordinal);
        Assert.Equal("OK", guest.Attach(daemon.RingSocket));
        Assert.Equal("error: domain 9 already has a ring", guest.Attach(daemon.RingSocket));
        // The daemon is still fine.
        using var dom0 = daemon.Connect();
        Introduce(dom0, 9);
        Assert.Equal("/local/domain/9\0", guest.Request(XS_GET_DOMAIN_PATH, "9\0"));
        // Release detaches the ring: nothing is served on it any more.
        Assert.Equal("OK\0", dom0.Request(XS_RELEASE, "9\0"));
        guest.Send(XS_GET_DOMAIN_PATH, "9\0");
        Assert.Throws<TimeoutException>(() => guest.ReceiveReply(300));
    }

    [Fact]
    public void A_guest_carries_on_across_a_sigkill_of_the_daemon_without_reconnecting()
    {
        const int SIGKILL = 9, writes = 300;
        string dir = Daemon.NewDir("ringkill");
        using var guest = new RingGuest(5);
        var first = Daemon.Ours(dir);
        first.KeepDir = true;
        Thread sender;
        Exception? senderError = null;
        int replies = 0;
        using (first)
        {
            using var dom0 = first.Connect();
            Assert.Equal("OK", guest.Attach(first.RingSocket));
            Introduce(dom0, 5);
            Assert.Equal("OK\0", guest.Request(XS_WATCH, "w\0tok\0"));                // req 1
            Assert.Equal("1\0", guest.Request(XS_TRANSACTION_START, "\0"));          // req 2
            Assert.Equal("OK\0", guest.Request(XS_WRITE, "in-tx\0lost", txId: 1));  // req 3
            guest.CollectEvents(100);
            Assert.Equal(["w tok"], guest.Events);
            guest.Events.Clear();

            // A stream of writes (reqs 4..) the daemon is killed in the middle of.
            sender = new Thread(() =>
            {
                try
                {
                    for (int i = 0; i < writes; i++)
                        guest.Send(XS_WRITE, $"flood/k{i}\0v{i}");
                }
                catch (Exception e) when (e is TimeoutException or IOException)
                {
                    senderError = e;
                }
            });
            sender.Start();
            while (replies < writes / 3)
                ExpectWriteReply(guest, ref replies);
            first.Process.Signal(SIGKILL);
            first.Process.WaitForExit(TimeSpan.FromSeconds(10));
        }

        // The core offers the same page and event channel to the restarted daemon.
        using var second = Daemon.Ours(dir);
        Assert.Equal("OK", guest.Attach(second.RingSocket));
        while (replies < writes)
            ExpectWriteReply(guest, ref replies); // every request answered exactly once, in order
        Assert.True(sender.Join(TimeSpan.FromSeconds(30)));
        Assert.Null(senderError);
        using var dom0b = second.Connect();
        for (int i = 0; i < writes; i++)
            Assert.Equal($"v{i}", dom0b.Request(XS_READ, $"/local/domain/5/flood/k{i}\0"));

        // The transaction open at the crash ends with EAGAIN; the watch is still there (and fired on restore).
        Assert.Equal("error:EAGAIN", guest.Request(XS_TRANSACTION_END, "T\0", txId: 1));
        Assert.Equal("error:ENOENT", dom0b.Request(XS_READ, "/local/domain/5/in-tx\0"));
        Assert.Equal("2\0", guest.Request(XS_TRANSACTION_START, "\0"));
        guest.CollectEvents(100);
        Assert.Equal(["w tok"], guest.Events);
        guest.Events.Clear();
        Assert.Equal("OK\0", dom0b.Request(XS_WRITE, "/local/domain/5/w/x\0y"));
        guest.CollectEvents(200);
        Assert.Equal(["w/x tok"], guest.Events);
    }

    private static void ExpectWriteReply(RingGuest guest, ref int replies)
    {
        var m = guest.ReceiveReply(20_000);
        Assert.Equal((uint)XS_WRITE, m.Type);
        Assert.Equal((uint)(4 + replies), m.ReqId);
        Assert.Equal("OK\0", Encoding.UTF8.GetString(m.Payload));
        replies++;
    }

    private static void WaitFor(Func<bool> condition)
    {
        long deadline = Environment.TickCount64 + 10_000;
        while (!condition())
        {
            if (Environment.TickCount64 > deadline)
                throw new TimeoutException("condition not reached");
            Thread.Sleep(5);
        }
    }
}
