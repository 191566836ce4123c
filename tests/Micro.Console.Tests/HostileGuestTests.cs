using Micro.Console.Tests.Support;
using Micro.Protocol.Xen;

namespace Micro.Console.Tests;

/// <summary>A guest that writes nonsense into its console page's indices: detected, logged, reset, finally dropped; never a crash.</summary>
public sealed unsafe class HostileGuestTests : IDisposable
{
    private readonly ConsoleWorld _world = new();

    public void Dispose() => _world.Dispose();

    [Fact]
    public void BadIndicesAreResetAndTheConsoleCarriesOn()
    {
        var hostile = _world.AddConsole(8);
        var honest = _world.AddConsole(9);
        _world.StartDaemon("--rate", "0");
        var page = hostile.View;

        // Producer behind consumer.
        hostile.Ring.WriteOutput("before "u8);
        hostile.Kick.Signal();
        _world.WaitForLog("d8", 7);
        var deadline = DateTime.UtcNow + ConsoleWorld.Timeout;
        while (Volatile.Read(ref page->out_cons) != 7)
        {
            Assert.True(DateTime.UtcNow < deadline, "the daemon never consumed the first bytes");
            Thread.Sleep(1);
        }
        Volatile.Write(ref page->out_prod, page->out_cons - 5);
        hostile.Kick.Signal();
        _world.WaitForStderr("out ring: producer index 0x2 is behind consumer index 0x7");

        // Indices further apart than the ring.
        Volatile.Write(ref page->out_prod, page->out_cons + 5000);
        hostile.Kick.Signal();
        _world.WaitForStderr("more than the ring");

        // The guest rewrites the daemon's own index.
        Volatile.Write(ref page->out_cons, page->out_cons + 3);
        hostile.Kick.Signal();
        _world.WaitForStderr("out consumer index changed under the daemon");

        // After the resets the ring is consistent again and works.
        _world.WaitForStderr("ring reset (fault 3 of");
        Assert.True(hostile.Ring.OutputPending.IsOk);
        Assert.Equal(0, hostile.Ring.OutputPending.Count);
        hostile.Ring.WriteOutput("after"u8);
        hostile.Kick.Signal();
        Assert.Equal("before after"u8.ToArray(), _world.WaitForLog("d8", 12));

        // Another domain's console is untouched throughout.
        honest.Ring.WriteOutput("fine"u8);
        honest.Kick.Signal();
        Assert.Equal("fine"u8.ToArray(), _world.WaitForLog("d9", 4));
    }

    [Fact]
    public void AGuestThatKeepsCorruptingItsRingLosesItButTheDaemonServesTheRest()
    {
        var hostile = _world.AddConsole(8);
        var honest = _world.AddConsole(9);
        _world.StartDaemon("--rate", "0");
        using var client = _world.Attach(8);
        var page = hostile.View;
        for (int i = 1; i <= 9; i++)
        {
            Volatile.Write(ref page->out_prod, page->out_cons + 4096);
            hostile.Kick.Signal();
            _world.WaitForStderr(i <= 8 ? $"ring reset (fault {i} of 8)" : "dropping this ring");
        }
        var closed = AttachTests.UntilClosed(client);
        Assert.Contains("rings were dropped", closed, StringComparison.Ordinal);
        Assert.Equal("ok", _world.Daemon!.Ping(10_000));
        honest.Ring.WriteOutput("still here"u8);
        honest.Kick.Signal();
        Assert.Equal("still here"u8.ToArray(), _world.WaitForLog("d9", 10));
    }

    [Fact]
    public void BadInputIndicesAreResetToo()
    {
        var pages = _world.AddConsole(5);
        _world.StartDaemon();
        using var client = _world.Attach(5, wantInput: true);
        var page = pages.View;
        Volatile.Write(ref page->in_cons, 0xFFFF_0000); // the guest claims to have read what was never written
        client.Input("x"u8);
        _world.WaitForStderr("in ring: producer index 0x0 is 65536 bytes ahead of consumer index 0xFFFF0000");
        Assert.Equal(page->in_cons, page->in_prod);
        client.Input("ok"u8);
        var deadline = DateTime.UtcNow + ConsoleWorld.Timeout;
        while (pages.Ring.InputPending.Count < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "input never arrived after the reset");
            Thread.Sleep(10);
        }
        var buffer = new byte[16];
        var r = pages.Ring.ReadInput(buffer);
        Assert.Equal("ok"u8.ToArray(), buffer[..r.Count]);
    }
}
