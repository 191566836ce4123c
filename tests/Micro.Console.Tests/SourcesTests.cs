using Micro.Console.Consoles;
using Micro.Console.Tests.Support;
using Micro.Protocol.Hosting;
using Micro.Protocol.Os;

namespace Micro.Console.Tests;

/// <summary>Where console bytes come from and how fast: the UART ring, pages handed over at runtime, the rate limit.</summary>
public sealed class SourcesTests : IDisposable
{
    private readonly ConsoleWorld _world = new();

    public void Dispose() => _world.Dispose();

    [Fact]
    public void UartBytesFromADeviceModelProcessReachTheLog()
    {
        var uart = _world.AddConsole(4, SourceKind.Uart);
        _world.StartDaemon("--rate", "0");
        using var model = _world.StartGuest(uart, "write", "100000", "31");
        Assert.Equal(0, model.WaitForExit(ConsoleWorld.Timeout));
        Assert.Equal(ConsoleWorld.Expected(100_000, 31), _world.WaitForLog("d4", 100_000));
    }

    [Fact]
    public void ConsoleAndUartOfOneDomainShareItsLog()
    {
        var console = _world.AddConsole(3);
        var uart = _world.AddConsole(3, SourceKind.Uart);
        _world.StartDaemon("--rate", "0");
        using var guest = _world.StartGuest(console, "write", "60000", "32");
        using var model = _world.StartGuest(uart, "write", "40000", "33");
        Assert.Equal(0, guest.WaitForExit(ConsoleWorld.Timeout));
        Assert.Equal(0, model.WaitForExit(ConsoleWorld.Timeout));
        var log = _world.WaitForLog("d3", 100_000);
        Assert.Equal(100_000, log.Length);
        // Interleaved, but every byte of both is there: compare the byte counts.
        var expected = new int[256];
        foreach (byte b in ConsoleWorld.Expected(60_000, 32).Concat(ConsoleWorld.Expected(40_000, 33)))
            expected[b]++;
        var actual = new int[256];
        foreach (byte b in log)
            actual[b]++;
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void PagesHandedOverAtRuntimeAreServedAndBadOnesRefusedPrecisely()
    {
        var pages = new ConsoleWorld.Pages(6, SourceKind.Console);
        string provision = Path.Combine(_world.Dir, "provision.sock");
        _world.StartDaemon("--provision", provision, "--rate", "0");
        using (pages)
        using (var control = new ControlChannel(UnixSocket.Connect(provision)))
        {
            control.Send(ControlKind.Memory, 4096, "console/6/kick", [pages.Page.Fd]);
            Assert.Contains("console/6/kick is not a page", Reply(control, ControlKind.Error), StringComparison.Ordinal);
            control.Send(ControlKind.EventFd, 0, "console/6/kick", [pages.Page.Fd]);
            Assert.Contains("is not an eventfd", Reply(control, ControlKind.Error), StringComparison.Ordinal);
            control.Send(ControlKind.EventFd, 0, "console/six/kick", [pages.Kick.Fd]);
            Assert.Contains("'six' is not a domid", Reply(control, ControlKind.Error), StringComparison.Ordinal);
            control.Send(ControlKind.Memory, 100, "console/6/page", [pages.Page.Fd]);
            Assert.Contains("has 100 bytes, a console page needs 3092", Reply(control, ControlKind.Error), StringComparison.Ordinal);
            control.Send(ControlKind.Ping, 1);
            Assert.Contains("Ping is not a provisioning message", Reply(control, ControlKind.Error), StringComparison.Ordinal);

            control.Send(ControlKind.Memory, 4096, "console/6/page", [pages.Page.Fd]);
            control.Send(ControlKind.EventFd, 0, "console/6/kick", [pages.Kick.Fd]);
            control.Send(ControlKind.EventFd, 0, "console/6/notify", [pages.Notify.Fd]);
            control.Send(ControlKind.Ready, 3);
            Assert.Equal("3", Reply(control, ControlKind.Ready));

            using var guest = _world.StartGuest(pages, "write", "30000", "34");
            Assert.Equal(0, guest.WaitForExit(ConsoleWorld.Timeout));
            Assert.Equal(ConsoleWorld.Expected(30_000, 34), _world.WaitForLog("d6", 30_000));
        }
    }

    /// <summary>The next reply of <paramref name="kind"/>: its text (Error) or argument (Ready).</summary>
    private static string Reply(ControlChannel control, ControlKind kind)
    {
        Span<int> fds = stackalloc int[ControlMessage.MaxFds];
        Assert.Equal(ReceiveStatus.Message, control.Receive(out var m, fds, (int)ConsoleWorld.Timeout.TotalMilliseconds));
        Assert.Equal(kind, m.Kind);
        return kind == ControlKind.Ready ? m.Argument.ToString() : m.Text;
    }

    [Fact]
    public unsafe void TheRateLimitLeavesTheRingFullAndTheGuestWaiting()
    {
        var pages = _world.AddConsole(7);
        _world.StartDaemon("--rate", "1000/600000"); // 1000 bytes per ten minutes: the test never sees a second period
        using var guest = _world.StartGuest(pages, "write", "10000", "35");
        _world.WaitForLog("d7", 1000);
        var deadline = DateTime.UtcNow + ConsoleWorld.Timeout;
        while (pages.Ring.OutputPending.Count < 2048)
        {
            Assert.True(DateTime.UtcNow < deadline, "the guest never filled its ring");
            Thread.Sleep(5);
        }
        Assert.Equal("ok", _world.Daemon!.Ping(10_000)); // the daemon is responsive, it just does not read
        Assert.Equal(ConsoleWorld.Expected(10_000, 35)[..1000], _world.ReadLog("d7"));
        Assert.False(guest.HasExited);
    }

    [Fact]
    public void UnderARateLimitEveryByteStillArrives()
    {
        var pages = _world.AddConsole(8);
        _world.StartDaemon("--rate", "20000/50");
        using var guest = _world.StartGuest(pages, "write", "200000", "36");
        Assert.Equal(0, guest.WaitForExit(ConsoleWorld.Timeout));
        Assert.Equal(ConsoleWorld.Expected(200_000, 36), _world.WaitForLog("d8", 200_000));
    }
}
