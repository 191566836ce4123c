using Micro.Console.Consoles;
using Micro.Console.Tests.Support;
using Micro.Testing;
using Micro.XenStore.Client;

namespace Micro.Console.Tests;

/// <summary>With a real micro-xenstored: consoles are served when their domain's console keys appear and closed on release.</summary>
public sealed class DiscoveryTests : IDisposable
{
    private readonly ConsoleWorld _world = new();

    public void Dispose() => _world.Dispose();

    private ChildProcess StartXenStore(out string socket)
    {
        socket = Path.Combine(_world.Dir, "xenstored.sock");
        var xenstored = ChildProcess.Dotnet(Path.Combine(AppContext.BaseDirectory, "micro-xenstored.dll"),
            ["--socket", socket, "--state-dir", Path.Combine(_world.Dir, "xenstore-state")]);
        xenstored.WaitForOutput("serving", ConsoleWorld.Timeout);
        return xenstored;
    }

    [Fact]
    public void ConsolesComeAndGoWithTheirDomainsInXenStore()
    {
        using var xenstored = StartXenStore(out string xsSocket);
        string provision = Path.Combine(_world.Dir, "provision.sock");
        _world.StartDaemon("--xenstore", xsSocket, "--provision", provision, "--rate", "0");
        _world.WaitForStderr("xenstore: watching /local/domain");
        using var web = new ConsoleWorld.Pages(11, SourceKind.Console);
        using var emu = new ConsoleWorld.Pages(12, SourceKind.Console);
        Assert.Equal(3ul, ConsoleWorld.Provision(provision, web));
        Assert.Equal(3ul, ConsoleWorld.Provision(provision, emu));

        // Pages alone are not a console: xenstore has not announced one.
        var e = Assert.Throws<IOException>(() => _world.Attach(11));
        Assert.Contains("no console for domain 11", e.Message, StringComparison.Ordinal);

        using var xs = XenStoreClient.Connect(xsSocket);
        xs.IntroduceDomain(12, 0x2000, 5);
        xs.Transaction(tx =>
        {
            xs.Write("/local/domain/12/name", "emulated", tx);
            xs.Write("/local/domain/12/console/ring-ref", "8192", tx);
            xs.Write("/local/domain/12/console/port", "5", tx);
            xs.Write("/local/domain/12/console/type", "ioemu", tx); // the device model's, not ours
        });
        xs.IntroduceDomain(11, 0x1000, 4);
        xs.Transaction(tx =>
        {
            xs.Write("/local/domain/11/name", "web", tx);
            xs.Write("/local/domain/11/console/ring-ref", "4096", tx);
            xs.Write("/local/domain/11/console/port", "4", tx);
            xs.Write("/local/domain/11/console/type", "xenconsoled", tx);
        });
        _world.WaitForStderr("d11 (web): serving");
        Assert.DoesNotContain("d12", _world.DaemonStderr, StringComparison.Ordinal);

        using var guest = _world.StartGuest(web, "write", "20000", "41");
        Assert.Equal(0, guest.WaitForExit(ConsoleWorld.Timeout));
        Assert.Equal(ConsoleWorld.Expected(20_000, 41), _world.WaitForLog("web", 20_000));
        using var client = _world.Attach(11);
        Assert.Equal("web", client.Name);
        Assert.Equal(ConsoleWorld.Expected(20_000, 41), AttachTests.UntilLive(client));

        xs.Remove("/local/domain/11");
        xs.ReleaseDomain(11);
        _world.WaitForStderr("d11 (web): domain released");
        Assert.Contains("console of d11 is gone", AttachTests.UntilClosed(client), StringComparison.Ordinal);
        e = Assert.Throws<IOException>(() => _world.Attach(11));
        Assert.Contains("no console for domain 11", e.Message, StringComparison.Ordinal);
        Assert.Equal("ok", _world.Daemon!.Ping(10_000));
    }

    [Fact]
    public void UnderXenStoreARestartedDaemonFindsItsConsoleAgainAndResumesExactly()
    {
        const int total = 300_000;
        using var xenstored = StartXenStore(out string xsSocket);
        var pages = _world.AddConsole(13); // handed over again by the supervisor at every start
        using var xs = XenStoreClient.Connect(xsSocket);
        xs.Transaction(tx =>
        {
            xs.Write("/local/domain/13/name", "db", tx);
            xs.Write("/local/domain/13/console/ring-ref", "4096", tx);
            xs.Write("/local/domain/13/console/port", "4", tx);
        });
        _world.StartDaemon("--xenstore", xsSocket, "--rate", "0");
        using var guest = _world.StartGuest(pages, "write", total.ToString(), "42");
        for (int i = 1; i <= 3 && !guest.HasExited; i++)
        {
            _world.WaitForLog("db", i * total / 4);
            _world.KillDaemon();
            _world.Restart();
        }
        Assert.Equal(0, guest.WaitForExit(ConsoleWorld.Timeout));
        Assert.Equal(ConsoleWorld.Expected(total, 42), _world.WaitForLog("db", total));
    }
}
