using System.Collections.Concurrent;
using Micro.XenStore.Client;
using Micro.XenStore.Store;
using Micro.XenStore.Wire;

namespace Micro.XenStore.Tests;

/// <summary>
/// The client library against real daemons started as processes: ours, and (where the behaviour is
/// Xen's) the reference C xenstored too, so the client is known to speak to both.
/// </summary>
public sealed class ClientTests
{
    private const int SIGSTOP = 19, SIGCONT = 18, SIGKILL = 9;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static Daemon Start(string which) => which == "ours" ? Daemon.Ours() : Daemon.Reference();

    [Theory]
    [InlineData("ours")]
    [InlineData("reference")]
    public void Nodes_values_directories_and_permissions(string which)
    {
        using var daemon = Start(which);
        using var xs = XenStoreClient.Connect(daemon.SocketPath);
        xs.Write("/vm/1/name", "guest");
        xs.Write("/vm/1/raw", [0, 1, 2, 255]);
        xs.Mkdir("/vm/1/device");
        Assert.Equal("guest", xs.ReadString("/vm/1/name"));
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, xs.Read("/vm/1/raw"));
        Assert.Equal("", xs.ReadString("/vm/1/device"));
        Assert.Equal(["name", "raw", "device"], xs.Directory("/vm/1"));
        Assert.Empty(xs.Directory("/vm/1/device"));
        Assert.True(xs.Exists("/vm/1"));
        Assert.Null(xs.TryReadString("/vm/2"));

        xs.SetPermissions("/vm/1", new XsPermissions([new(0, XsPerm.None), new(3, XsPerm.Read), new(4, XsPerm.Both)]));
        Assert.Equal("n0,r3,b4", xs.GetPermissions("/vm/1").ToString());
        Assert.Equal("n0", xs.GetPermissions("/vm/1/name").ToString());

        xs.Remove("/vm/1");
        Assert.False(xs.Exists("/vm/1/name"));
        xs.Remove("/vm/1"); // already gone is fine

        var e = Assert.Throws<XenStoreException>(() => xs.Read("/vm/1"));
        Assert.Equal(XsError.ENOENT, e.Error);
        Assert.Contains("XS_READ /vm/1", e.Message, StringComparison.Ordinal);
        Assert.Equal(XsError.EINVAL, Assert.Throws<XenStoreException>(() => xs.Write("/bad//path", "v")).Error);
        Assert.Equal(XsError.EINVAL, Assert.Throws<XenStoreException>(() => xs.Remove("/")).Error);
        // Over XENSTORE_PAYLOAD_MAX: refused before anything is sent, as libxenstore does.
        Assert.Equal(XsError.E2BIG, Assert.Throws<XenStoreException>(() => xs.Write("/big", new byte[4096])).Error);
        Assert.Equal("/local/domain/7", xs.GetDomainPath(7));
    }

    [Theory]
    [InlineData("ours")]
    [InlineData("reference")]
    public void A_directory_too_long_for_one_reply_is_read_in_parts(string which)
    {
        using var daemon = Start(which);
        using var xs = XenStoreClient.Connect(daemon.SocketPath);
        var names = Enumerable.Range(0, 700).Select(i => $"child-number-{i:D4}").ToList(); // ~13 KiB of names
        xs.Transaction(tx =>
        {
            foreach (string n in names)
                xs.Write("/big/" + n, "v", tx);
        });
        Assert.Equal(names, xs.Directory("/big"));
    }

    [Theory]
    [InlineData("ours")]
    [InlineData("reference")]
    public void A_conflicting_transaction_is_retried_until_it_commits(string which)
    {
        using var daemon = Start(which);
        using var xs = XenStoreClient.Connect(daemon.SocketPath);
        using var other = XenStoreClient.Connect(daemon.SocketPath);
        xs.Write("/counter", "0");

        // By hand: the other client changes what the transaction read, so the commit fails.
        uint tx = xs.TransactionStart();
        Assert.Equal("0", xs.ReadString("/counter", tx));
        xs.Write("/counter", "1", tx);
        other.Write("/counter", "5");
        Assert.False(xs.TransactionEnd(tx));
        Assert.Equal("5", xs.ReadString("/counter"));

        // The helper starts over after EAGAIN; the second attempt sees the other client's value.
        int attempts = 0;
        string result = xs.Transaction(t =>
        {
            attempts++;
            int v = int.Parse(xs.ReadString("/counter", t), System.Globalization.CultureInfo.InvariantCulture);
            if (attempts == 1)
                other.Write("/counter", "10");
            xs.Write("/counter", (v + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), t);
            return xs.ReadString("/counter", t);
        });
        Assert.Equal(2, attempts);
        Assert.Equal("11", result);
        Assert.Equal("11", xs.ReadString("/counter"));

        // A body that throws aborts: nothing it wrote is visible.
        Assert.Throws<InvalidOperationException>(() => xs.Transaction(t =>
        {
            xs.Write("/aborted", "x", t);
            throw new InvalidOperationException("no");
        }));
        Assert.False(xs.Exists("/aborted"));
        Assert.Equal(XsError.ENOENT, Assert.Throws<XenStoreException>(() => xs.Read("/counter", 999)).Error);
    }

    [Theory]
    [InlineData("ours")]
    [InlineData("reference")]
    public void Watch_events_queue_up_in_order_with_the_initial_event_first(string which)
    {
        using var daemon = Start(which);
        using var xs = XenStoreClient.Connect(daemon.SocketPath);
        using var writer = XenStoreClient.Connect(daemon.SocketPath);
        xs.Watch("/w", "tok");
        Assert.Equal(new XsWatchEvent("/w", "tok"), xs.NextEvent(Wait));
        writer.Write("/w/a/b", "1");
        writer.Write("/elsewhere", "1");
        writer.Remove("/w/a");
        Assert.Equal(new XsWatchEvent("/w/a/b", "tok"), xs.NextEvent(Wait));
        Assert.Equal(new XsWatchEvent("/w/a", "tok"), xs.NextEvent(Wait));
        xs.Unwatch("/w", "tok");
        writer.Write("/w/c", "1");
        // A request after the write is answered after any event it caused would have been sent.
        xs.Read("/w/c");
        Assert.False(xs.TryNextEvent(TimeSpan.Zero, out _));
        Assert.Equal(XsError.ENOENT, Assert.Throws<XenStoreException>(() => xs.Unwatch("/w", "tok")).Error);
        Assert.Throws<TimeoutException>(() => xs.NextEvent(TimeSpan.FromMilliseconds(50)));
    }

    [Fact]
    public void Watch_callbacks_run_on_their_own_thread_and_may_use_the_client()
    {
        using var daemon = Daemon.Ours();
        using var xs = XenStoreClient.Connect(daemon.SocketPath);
        var seen = new BlockingCollection<string>();
        xs.Watch("/cb", "t1", ev =>
        {
            // Reading from inside the callback must not deadlock the reader.
            seen.Add($"{ev.Path}={xs.TryReadString(ev.Path) ?? "-"}");
        });
        xs.Watch("/queued", "t2");
        Assert.True(seen.TryTake(out string? first, Wait));
        Assert.Equal("/cb=-", first);
        xs.Write("/cb/x", "1");
        Assert.True(seen.TryTake(out string? second, Wait));
        Assert.Equal("/cb/x=1", second);
        Assert.Equal(new XsWatchEvent("/queued", "t2"), xs.NextEvent(Wait)); // other tokens stay queued

        var failures = new BlockingCollection<Exception>();
        xs.CallbackFailed = failures.Add;
        xs.Watch("/boom", "t3", _ => throw new InvalidOperationException("callback failed"));
        Assert.True(failures.TryTake(out var failure, Wait));
        Assert.IsType<InvalidOperationException>(failure);
        xs.Write("/cb/y", "2"); // delivery goes on after a failing callback
        Assert.True(seen.TryTake(out string? third, Wait));
        Assert.Equal("/cb/y=2", third);
    }

    [Theory]
    [InlineData("ours")]
    [InlineData("reference")]
    public void Domains_are_introduced_and_released_with_their_special_watches(string which)
    {
        using var daemon = Start(which);
        using var xs = XenStoreClient.Connect(daemon.SocketPath);
        xs.Watch("@introduceDomain", "in");
        xs.Watch("@releaseDomain", "out");
        Assert.Equal(new XsWatchEvent("@introduceDomain", "in"), xs.NextEvent(Wait));
        Assert.Equal(new XsWatchEvent("@releaseDomain", "out"), xs.NextEvent(Wait));
        Assert.False(xs.IsDomainIntroduced(5));
        xs.IntroduceDomain(5, 0x1234, 9);
        Assert.Equal(new XsWatchEvent("@introduceDomain", "in"), xs.NextEvent(Wait));
        Assert.True(xs.IsDomainIntroduced(5));
        xs.ResumeDomain(5);
        xs.ReleaseDomain(5);
        Assert.Equal(new XsWatchEvent("@releaseDomain", "out"), xs.NextEvent(Wait));
        Assert.False(xs.IsDomainIntroduced(5));
        Assert.Equal(XsError.ENOENT, Assert.Throws<XenStoreException>(() => xs.ReleaseDomain(5)).Error);
        xs.ResetWatches();
        xs.IntroduceDomain(6, 0x1235, 10);
        xs.Read("/");
        Assert.False(xs.TryNextEvent(TimeSpan.Zero, out _));
    }

    [Fact]
    public void Many_threads_share_one_connection()
    {
        using var daemon = Daemon.Ours();
        using var xs = XenStoreClient.Connect(daemon.SocketPath);
        const int threads = 4, each = 150;
        var errors = new ConcurrentQueue<Exception>();
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            try
            {
                for (int i = 0; i < each; i++)
                {
                    xs.Write($"/mt/{t}/{i}", $"{t}:{i}");
                    if (xs.ReadString($"/mt/{t}/{i}") != $"{t}:{i}")
                        throw new InvalidOperationException($"thread {t} read back the wrong value at {i}");
                }
            }
#pragma warning disable CA1031 // reported below
            catch (Exception e)
#pragma warning restore CA1031
            {
                errors.Enqueue(e);
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => Assert.True(w.Join(TimeSpan.FromSeconds(60))));
        Assert.Empty(errors);
        for (int t = 0; t < threads; t++)
            Assert.Equal(each, xs.Directory($"/mt/{t}").Count);
    }

    [Fact]
    public void A_stopped_daemon_times_out_and_a_dead_one_fails_every_waiter()
    {
        using var daemon = Daemon.Ours();
        using var xs = XenStoreClient.Connect(daemon.SocketPath);
        xs.Write("/x", "v");
        xs.Watch("/x", "t");
        xs.NextEvent(Wait);
        xs.Timeout = TimeSpan.FromMilliseconds(200);
        daemon.Process.Signal(SIGSTOP);
        try
        {
            var e = Assert.Throws<TimeoutException>(() => xs.Read("/x"));
            Assert.Contains("XS_READ /x", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            daemon.Process.Signal(SIGCONT);
        }
        xs.Timeout = Wait;
        Assert.Equal("v", xs.ReadString("/x")); // the late reply was dropped; the connection still works
        daemon.Process.Signal(SIGKILL);
        Assert.Throws<IOException>(() => xs.NextEvent(Wait));
        Assert.False(xs.Connected);
        Assert.Throws<IOException>(() => xs.Read("/x"));
    }

    [Fact]
    public void The_socket_is_found_as_libxenstore_finds_it()
    {
        using var daemon = Daemon.Ours();
        Assert.Throws<IOException>(() => XenStoreClient.Connect(Path.Combine(daemon.Dir, "no-such-socket")));
        string? oldPath = Environment.GetEnvironmentVariable("XENSTORED_PATH");
        string? oldRunDir = Environment.GetEnvironmentVariable("XENSTORED_RUNDIR");
        try
        {
            Environment.SetEnvironmentVariable("XENSTORED_PATH", null);
            Environment.SetEnvironmentVariable("XENSTORED_RUNDIR", daemon.Dir);
            using (var byRunDir = XenStoreClient.Connect())
                Assert.Equal(daemon.SocketPath, byRunDir.SocketPath);
            Environment.SetEnvironmentVariable("XENSTORED_RUNDIR", "/nonexistent");
            Environment.SetEnvironmentVariable("XENSTORED_PATH", daemon.SocketPath);
            using var byPath = XenStoreClient.Connect();
            Assert.Equal(daemon.SocketPath, byPath.SocketPath);
            byPath.Write("/found", "yes");
            Assert.Equal("yes", byPath.ReadString("/found"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("XENSTORED_PATH", oldPath);
            Environment.SetEnvironmentVariable("XENSTORED_RUNDIR", oldRunDir);
        }
    }
}
