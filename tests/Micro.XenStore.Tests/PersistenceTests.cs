using System.Text;
using Micro.XenStore.Persistence;
using Micro.XenStore.Wire;

namespace Micro.XenStore.Tests;

/// <summary>Every acknowledged change survives SIGKILL of the daemon process; torn journal tails are dropped.</summary>
public sealed class PersistenceTests
{
    private const int SIGKILL = 9;

    [Fact]
    public void Tree_permissions_and_domains_survive_sigkill()
    {
        string dir = Daemon.NewDir("persist");
        string before;
        using (var first = Daemon.Ours(dir))
        {
            first.KeepDir = true;
            using var c = first.Connect();
            Assert.Equal("OK\0", c.Request(XsMessageType.XS_WRITE, "/vm/1/name\0guest"));
            Assert.Equal("OK\0", c.Request(XsMessageType.XS_WRITE, "/vm/1/bin\0\u0001\u0002"));
            Assert.Equal("OK\0", c.Request(XsMessageType.XS_MKDIR, "/vm/2\0"));
            Assert.Equal("OK\0", c.Request(XsMessageType.XS_WRITE, "/vm/0\0first-created-last"));
            Assert.Equal("OK\0", c.Request(XsMessageType.XS_SET_PERMS, "/vm/1\0n1\0r2\0b3\0"));
            Assert.Equal("OK\0", c.Request(XsMessageType.XS_RM, "/vm/2\0"));
            Assert.Equal("OK\0", c.Request(XsMessageType.XS_INTRODUCE, "7\00\05\0"));
            Assert.Equal("OK\0", c.Request(XsMessageType.XS_SET_TARGET, "7\00\0"));
            Assert.Equal("1\0", c.Request(XsMessageType.XS_TRANSACTION_START, "\0"));
            Assert.Equal("OK\0", c.Request(XsMessageType.XS_WRITE, "/in-tx\0never committed", txId: 1));
            before = Conformance.DumpTree(c);
            first.Process.Signal(SIGKILL);
            first.Process.WaitForExit(TimeSpan.FromSeconds(10));
        }
        using var second = Daemon.Ours(dir);
        using var c2 = second.Connect();
        Assert.Equal(before, Conformance.DumpTree(c2));
        Assert.Equal("T\0", c2.Request(XsMessageType.XS_IS_DOMAIN_INTRODUCED, "7\0"));
        Assert.Equal("error:ENOENT", c2.Request(XsMessageType.XS_READ, "/in-tx\0"));
        Assert.Equal("error:ENOENT", c2.Request(XsMessageType.XS_TRANSACTION_END, "T\0", txId: 1));
    }

    [Fact]
    public void Every_acknowledged_write_of_a_pipelined_flood_survives_sigkill()
    {
        string dir = Daemon.NewDir("flood");
        int acked = 0;
        using (var first = Daemon.Ours(dir))
        {
            first.KeepDir = true;
            using var c = first.Connect();
            const int total = 3000;
            for (int i = 0; i < total; i++)
                c.Send(XsMessageType.XS_WRITE, $"/flood/k{i}\0v{i}", (uint)i);
            // Kill it while requests are still being processed.
            while (acked < total / 3)
            {
                foreach (var m in c.ReceiveReply())
                {
                    Assert.Equal((uint)XsMessageType.XS_WRITE, m.Type);
                    Assert.Equal((uint)acked, m.ReqId);
                    acked++;
                }
            }
            first.Process.Signal(SIGKILL);
            first.Process.WaitForExit(TimeSpan.FromSeconds(10));
        }
        using var second = Daemon.Ours(dir);
        using var c2 = second.Connect();
        for (int i = 0; i < acked; i++)
            Assert.Equal($"v{i}", c2.Request(XsMessageType.XS_READ, $"/flood/k{i}\0"));
    }

    [Fact]
    public void Quotas_and_a_guests_watches_are_exactly_as_acknowledged_after_sigkill()
    {
        string dir = Daemon.NewDir("quota");
        string[] limits = ["-Q", "nodes=6", "-Q", "watches=2"]; // 2 lets 3 watches through, as in the C daemon
        using var guest = new RingGuest(5);
        string before;
        using (var first = Daemon.Ours(dir, limits))
        {
            first.KeepDir = true;
            using var dom0 = first.Connect();
            Assert.Equal("OK", guest.Attach(first.RingSocket));
            RingTests.Introduce(dom0, 5);
            for (int i = 0; i < 6; i++)
                Assert.Equal("OK\0", guest.Request(XsMessageType.XS_WRITE, $"n{i}\0v"));
            Assert.Equal("error:ENOSPC", guest.Request(XsMessageType.XS_WRITE, "n6\0v"));
            Assert.Equal("OK\0", guest.Request(XsMessageType.XS_RM, "n0\0"));
            Assert.Equal("OK\0", guest.Request(XsMessageType.XS_WATCH, "n1\0a\0"));
            Assert.Equal("OK\0", guest.Request(XsMessageType.XS_WATCH, "n2\0b\0"));
            Assert.Equal("OK\0", guest.Request(XsMessageType.XS_WATCH, "n3\0c\0"));
            Assert.Equal("error:E2BIG", guest.Request(XsMessageType.XS_WATCH, "n4\0d\0"));
            Assert.Equal("OK\0", guest.Request(XsMessageType.XS_UNWATCH, "n2\0b\0"));
            guest.CollectEvents(100);
            guest.Events.Clear();
            before = Conformance.DumpTree(dom0);
            first.Process.Signal(SIGKILL);
            first.Process.WaitForExit(TimeSpan.FromSeconds(10));
        }
        using var second = Daemon.Ours(dir, limits);
        using var dom0b = second.Connect();
        Assert.Equal(before, Conformance.DumpTree(dom0b));
        Assert.Equal("OK", guest.Attach(second.RingSocket));
        // The restored watches fire once each (changes may have been missed); the removed one does not.
        guest.CollectEvents(300);
        Assert.Equal(["n1 a", "n3 c"], guest.Events.Order(StringComparer.Ordinal));
        // One node and one watch of quota left, exactly as before the crash.
        Assert.Equal("OK\0", guest.Request(XsMessageType.XS_WRITE, "n0\0again"));
        Assert.Equal("error:ENOSPC", guest.Request(XsMessageType.XS_WRITE, "n6\0v"));
        Assert.Equal("OK\0", guest.Request(XsMessageType.XS_WATCH, "n4\0d\0"));
        Assert.Equal("error:E2BIG", guest.Request(XsMessageType.XS_WATCH, "n5\0e\0"));
        Assert.Equal("error:EEXIST", guest.Request(XsMessageType.XS_WATCH, "n1\0a\0"));
    }

    [Fact]
    public void A_torn_or_corrupt_journal_tail_is_cut_off()
    {
        string dir = Daemon.NewDir("torn");
        try
        {
            var (service, state) = PersistentState.Open(dir);
            using (state)
            {
                service.Tree.Put("/a", "1"u8.ToArray(), Store.XsPermissions.Dom0Only);
                service.Tree.Put("/b", "2"u8.ToArray(), Store.XsPermissions.Dom0Only);
                state.Commit(service);
            }
            string journal = Directory.GetFiles(dir, "journal.*").Single();
            int good = RecordsEnd(journal);
            using (var f = new FileStream(journal, FileMode.Open))
            {
                // A record announcing more bytes than follow, as after a crash mid-write.
                f.Position = good;
                f.Write(BitConverter.GetBytes(100));
                f.Write(BitConverter.GetBytes(0u));
                f.Write("partial"u8);
            }
            var (service2, state2) = PersistentState.Open(dir);
            using (state2)
            {
                Assert.Equal("1", Encoding.UTF8.GetString(service2.Tree.Get("/a")!.Value));
                Assert.Equal("2", Encoding.UTF8.GetString(service2.Tree.Get("/b")!.Value));
                Assert.Equal(good, RecordsEnd(journal));
                Assert.DoesNotContain("partial"u8.ToArray()[0], File.ReadAllBytes(journal).AsSpan(good, 64).ToArray()); // the torn tail was wiped
                service2.Tree.Put("/c", "3"u8.ToArray(), Store.XsPermissions.Dom0Only);
                state2.Commit(service2);
            }
            // Flip one byte inside the last record: its checksum no longer matches, so it is dropped.
            byte[] bytes = File.ReadAllBytes(journal);
            bytes[RecordsEnd(journal) - 1] ^= 0xFF;
            File.WriteAllBytes(journal, bytes);
            var (service3, state3) = PersistentState.Open(dir);
            using (state3)
            {
                Assert.NotNull(service3.Tree.Get("/b"));
                Assert.Null(service3.Tree.Get("/c"));
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Snapshots_rotate_the_journal_and_keep_child_order()
    {
        string dir = Daemon.NewDir("snap");
        try
        {
            string expected;
            var (service, state) = PersistentState.Open(dir);
            using (state)
            {
                state.SnapshotEvery = 100;
                service.Tree.Put("/s", [], Store.XsPermissions.Dom0Only);
                var perms = new Store.XsPermissions([new Store.XsPermEntry(4, Store.XsPerm.Read), new Store.XsPermEntry(9, Store.XsPerm.Both)]);
                for (int i = 0; i < 450; i++)
                {
                    service.Tree.Put($"/s/n{i % 37}", Encoding.UTF8.GetBytes("v" + i), i % 5 == 0 ? perms : Store.XsPermissions.Dom0Only);
                    if (i % 11 == 0)
                        service.Tree.Delete($"/s/n{(i * 7) % 37}", []);
                    if (i % 2 == 0)
                        state.Commit(service);
                }
                service.Tree.Delete("/tool", []);
                service.Tree.Put("/tool", [], Store.XsPermissions.Dom0Only);
                state.Commit(service);
                expected = Describe(service);
            }
            Assert.Single(Directory.GetFiles(dir, "journal.*"));
            var (service2, state2) = PersistentState.Open(dir);
            using (state2)
                Assert.Equal(expected, Describe(service2));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Where the journal's good records end (preallocated zeros follow).</summary>
    private static int RecordsEnd(string journal) => StateRecord.ReadAll(File.ReadAllBytes(journal), []);

    private static string Describe(Service.XenStoreService s)
        => string.Join("\n", s.Tree.PreOrder().Select(n => $"{n.Path}={Encoding.UTF8.GetString(n.Value)} {n.Perms} [{string.Join(",", n.Children)}]"));
}
