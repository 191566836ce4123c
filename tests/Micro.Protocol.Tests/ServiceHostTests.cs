using System.Diagnostics;
using System.Text;
using Micro.Protocol.EventChannels;
using Micro.Protocol.Hosting;
using Micro.Protocol.Os;

namespace Micro.Protocol.Tests;

/// <summary>A real service process under a real supervisor: handshake, capabilities, health, stop, death.</summary>
public sealed class ServiceHostTests : IDisposable
{
    private const int Timeout = 30_000;
    private readonly ServiceSupervisor _supervisor = new();

    public void Dispose() => _supervisor.Dispose();

    private SupervisedService StartPeer(bool redirect = false)
    {
        var psi = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet") { RedirectStandardError = redirect };
        psi.ArgumentList.Add(ServiceHostPeer.Dll);
        psi.ArgumentList.Add("service");
        return _supervisor.Start(psi, Timeout);
    }

    [Fact]
    public void AServiceGetsItsCapabilitiesServesEventsAnswersPingsAndStopsCleanlyOnSigterm()
    {
        using var service = StartPeer();
        Assert.Equal("servicepeer", service.Name);

        using var ring = SharedMemory.Create("ring", 4096);
        using var ready = EventFd.Create();
        using var servicePage = EventChannelPage.Create("service-evtchn");
        using var serviceKick = EventFd.Create();
        using var toService = new EventChannelNotifier(new EventChannelPage(servicePage.Memory.Duplicate()), serviceKick.Duplicate(), 3);
        using var mine = EventChannelReceiver.Create("supervisor-evtchn");
        service.GiveMemory("ring", ring);
        service.GiveEventFd("ready", ready);
        service.GiveReceiver("events", servicePage, serviceKick);
        service.GiveNotifier("reply", mine.Page, mine.Kick, 4);
        service.Ready();

        Assert.Equal(1UL, ready.Wait(Timeout));
        Assert.Equal("service was here", Encoding.ASCII.GetString(ring.Span[..16]));
        Span<int> ports = stackalloc int[4];
        for (int i = 0; i < 5; i++)
        {
            toService.Notify();
            Assert.Equal(1, mine.Wait(ports, Timeout));
            Assert.Equal(4, ports[0]);
        }
        Assert.Equal("ok events=5", service.Ping(Timeout));

        Assert.Equal(0, service.Terminate(Timeout));
        Assert.Equal("flushed", Encoding.ASCII.GetString(ring.Span.Slice(100, 7)));
        Span<int> fds = stackalloc int[2];
        Assert.Equal(ReceiveStatus.Message, service.Control.Receive(out var last, fds, Timeout));
        Assert.Equal(ControlKind.Stopped, last.Kind);
        Assert.Equal(ReceiveStatus.Closed, service.Control.Receive(out _, fds, Timeout));
        Assert.Empty(service.Errors);
    }

    [Fact]
    public void AStopMessageEndsTheServiceWithExitCodeZero()
    {
        using var service = StartPeer();
        service.Ready();
        Assert.Equal("ok", service.Ping(Timeout));
        service.RequestStop();
        Assert.Equal(0, service.WaitForExit(Timeout));
    }

    [Fact]
    public void SigkillIsSeenAtOnceThroughThePidfdAndTheSocket()
    {
        using var service = StartPeer();
        service.Ready();
        Assert.Equal("ok", service.Ping(Timeout));
        service.Kill();
        Assert.True(service.PidFd.WaitForExit(Timeout));
        Span<int> fds = stackalloc int[2];
        Assert.Equal(ReceiveStatus.Closed, service.Control.Receive(out _, fds, Timeout));
        Assert.Null(service.Ping(Timeout));
        Assert.Equal(137, service.WaitForExit(Timeout));
    }

    [Fact]
    public void MalformedControlMessagesAreReportedAndTheServiceCarriesOn()
    {
        using var service = StartPeer();
        service.Ready();
        var socket = service.Control.Socket;
        socket.Send("garbage"u8);
        var bogus = new byte[16];
        socket.Send(bogus);
        Span<byte> buffer = stackalloc byte[ControlMessage.MaxSize];
        int n = new ControlMessage(ControlKind.Memory, 4096, "ring").Encode(buffer);
        socket.Send(buffer[..n]); // a memory capability without its fd
        using var stray = EventFd.Create();
        n = new ControlMessage(ControlKind.EventFd, 0, "late").Encode(buffer);
        socket.Send(buffer[..n], [stray.Fd]); // a capability after Ready
        n = new ControlMessage(ControlKind.Ping, 1, "").Encode(buffer);
        socket.Send(buffer[..n], [stray.Fd, stray.Fd, stray.Fd]); // too many fds

        Assert.Equal("ok", service.Ping(Timeout));
        Assert.Equal(
        [
            "servicepeer reports: control message of 7 bytes is shorter than its 16-byte header",
            "servicepeer reports: bad control magic 0x00000000",
            "servicepeer reports: Memory carries 1 fds, got 0",
            "servicepeer reports: unexpected EventFd while running",
            "servicepeer reports: peer sent 3 fds; at most 2 expected",
        ], service.Errors);
        Assert.Equal(0, service.Terminate(Timeout));
    }

    [Fact]
    public void AWrongCapabilityCountInReadyFailsTheStartWithAPreciseError()
    {
        using var service = StartPeer(redirect: true);
        service.Control.Send(ControlKind.Ready, 5);
        Assert.Equal(1, service.WaitForExit(Timeout));
        Assert.Contains("Ready announces 5 capabilities, 0 arrived", service.Process.StandardError.ReadToEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public void ACapabilityWhoseFdIsOfTheWrongKindIsRefusedByTheService()
    {
        using var service = StartPeer(redirect: true);
        using var notMemory = EventFd.Create();
        service.Control.Send(ControlKind.Memory, 4096, "ring", [notMemory.Fd]);
        service.Control.Send(ControlKind.Ready, 1);
        Assert.Equal(1, service.WaitForExit(Timeout));
        Assert.Matches("PeerProtocolException: memory capability 'ring': fd [0-9]+ is not a memfd", service.Process.StandardError.ReadToEnd());
    }

    [Fact]
    public void AConnectionFromAnotherProcessIsRefused()
    {
        using var stranger = UnixSocket.Connect(_supervisor.SocketPath);
        using var service = StartPeer();
        Assert.Equal(1, _supervisor.RefusedConnections);
        Span<byte> buf = stackalloc byte[16];
        Assert.Equal(ReceiveStatus.Closed, stranger.Receive(buf, default, Timeout).Status);
        service.Ready();
        Assert.Equal("ok", service.Ping(Timeout));
    }

    [Fact]
    public void AServiceRunsStandaloneAndStopsOnSigterm()
    {
        using var peer = ServiceHostPeer.Start(["service"]);
        peer.WaitForOutput("standalone", TimeSpan.FromSeconds(30));
        peer.StandardInput.WriteLine("run");
        peer.StandardInput.Flush();
        peer.WaitForOutput("running", TimeSpan.FromSeconds(30));
        peer.Signal(LibC.SIGTERM);
        Assert.Equal(0, peer.WaitForExit(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void ASigtermBeforeTheLoopRunsStillStopsTheServiceCleanly()
    {
        using var peer = ServiceHostPeer.Start(["service"]);
        peer.WaitForOutput("standalone", TimeSpan.FromSeconds(30)); // started, not yet running its loop
        peer.Signal(LibC.SIGTERM); // without a handler yet, this would end it at once with exit code 143
        peer.StandardInput.WriteLine("run");
        peer.StandardInput.Flush();
        Assert.Equal(0, peer.WaitForExit(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void AServiceTakesItsControlSocketFromAnInheritedFd()
    {
        var (supervisorEnd, serviceEnd) = UnixSocket.Pair();
        using var control = new ControlChannel(supervisorEnd);
        Assert.Equal(0, LibC.Fcntl(serviceEnd.Fd, LibC.F_SETFD, 0)); // inheritable
        using var peer = ServiceHostPeer.Start(["service"], new Dictionary<string, string> { [ServiceHost.ControlFdVariable] = serviceEnd.Fd.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        serviceEnd.Dispose();

        Span<int> fds = stackalloc int[2];
        Assert.Equal(ReceiveStatus.Message, control.Receive(out var hello, fds, Timeout));
        Assert.Equal(new ControlMessage(ControlKind.Hello, (ulong)peer.Pid, "servicepeer"), hello);
        control.Send(ControlKind.Ready, 0);
        control.Send(ControlKind.Ping, 42);
        Assert.Equal(ReceiveStatus.Message, control.Receive(out var pong, fds, Timeout));
        Assert.Equal(new ControlMessage(ControlKind.Pong, 42, "ok"), pong);
        control.Send(ControlKind.Stop);
        Assert.Equal(0, peer.WaitForExit(TimeSpan.FromSeconds(30)));
    }
}
