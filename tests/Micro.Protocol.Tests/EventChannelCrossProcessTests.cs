using System.Text;
using Micro.Protocol.EventChannels;
using Micro.Protocol.Os;

namespace Micro.Protocol.Tests;

/// <summary>Event channels between two real processes: the pages and eventfds travel over SCM_RIGHTS.</summary>
public sealed class EventChannelCrossProcessTests : IDisposable
{
    private readonly string _dir = ServiceHostPeer.TempDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void EventsWakeTheOtherProcessBothWaysAndMaskingHoldsThemBack()
    {
        using var listener = UnixListener.Bind(Path.Combine(_dir, "control"));
        using var peer = ServiceHostPeer.Start(["evtchn", listener.Path]);
        using var socket = listener.Accept(30_000) ?? throw new TimeoutException("peer did not connect\n" + peer.Stderr);

        using var mine = EventChannelReceiver.Create("test-evtchn");
        socket.Send("page"u8, [mine.Page.Memory.Fd, mine.Kick.Fd]);
        var buf = new byte[64];
        var fds = new int[2];
        var r = socket.Receive(buf, fds, 30_000);
        Assert.Equal(new Received(ReceiveStatus.Message, 4, 2), r);
        using var toPeer = EventChannelNotifier.Open(fds[0], fds[1], 7);

        const int rounds = 2000;
        socket.Send(Encoding.ASCII.GetBytes($"rounds {rounds}"));
        Span<int> ports = stackalloc int[4];
        for (int i = 0; i < rounds; i++)
        {
            toPeer.Notify();
            Assert.Equal(1, mine.Wait(ports, 30_000));
            Assert.Equal(5, ports[0]);
        }
        r = socket.Receive(buf, fds, 30_000);
        Assert.StartsWith("done ", Encoding.ASCII.GetString(buf, 0, r.Length));

        // Masked: the peer's event stays pending and wakes nobody until we unmask.
        mine.Mask(5);
        socket.Send("once"u8);
        r = socket.Receive(buf, fds, 30_000);
        Assert.Equal("sent", Encoding.ASCII.GetString(buf, 0, r.Length));
        Assert.True(mine.Page.IsPending(5));
        Assert.Equal(0, mine.Wait(ports, 0));
        mine.Unmask(5);
        Assert.Equal(1, mine.Wait(ports, 0));
        Assert.Equal(5, ports[0]);

        socket.Send("bye"u8);
        Assert.Equal(0, peer.WaitForExit(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void ANotifierRefusesFdsOfTheWrongKind()
    {
        using var page = EventChannelPage.Create("p");
        using var kick = EventFd.Create();
        // The two fds swapped: the eventfd is not a memfd.
        int pageDup = LibC.Dup(kick.Fd), kickDup = LibC.Dup(page.Memory.Fd);
        Assert.StartsWith($"fd {pageDup} is not a memfd", Assert.Throws<IOException>(() => EventChannelNotifier.Open(pageDup, kickDup, 1)).Message);
    }
}
