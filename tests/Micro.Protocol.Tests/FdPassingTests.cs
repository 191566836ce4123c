using System.Text;
using Micro.Protocol.Os;

namespace Micro.Protocol.Tests;

/// <summary>Capabilities crossing between two real processes over SCM_RIGHTS.</summary>
public sealed class FdPassingTests : IDisposable
{
    private readonly string _dir = ServiceHostPeer.TempDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public unsafe void MemfdAndEventfdCrossToAnotherProcessAndAMemfdComesBack()
    {
        using var listener = UnixListener.Bind(Path.Combine(_dir, "control"));
        using var peer = ServiceHostPeer.Start(["fdpass", listener.Path]);
        using var socket = listener.Accept(30_000) ?? throw new TimeoutException("peer did not connect\n" + peer.Stderr);
        Assert.Equal(peer.Pid, socket.Peer.Pid);

        Span<byte> buf = stackalloc byte[64];
        Span<int> fds = stackalloc int[1];

        using var shm = SharedMemory.Create("fdpass", 4096);
        "hello from the test"u8.CopyTo(shm.Span);
        socket.Send("memory"u8, [shm.Fd]);
        var r = socket.Receive(buf, fds, 30_000);
        Assert.Equal(ReceiveStatus.Message, r.Status);
        Assert.Equal("read", Encoding.ASCII.GetString(buf[..r.Length]));
        Assert.Equal("HELLO FROM THE TEST", Encoding.ASCII.GetString(shm.Span.Slice(2048, 19)));

        using var evt = EventFd.Create();
        socket.Send("eventfd"u8, [evt.Fd]);
        Assert.Equal(1UL, evt.Wait(30_000));

        r = socket.Receive(buf, fds, 30_000);
        Assert.Equal(ReceiveStatus.Message, r.Status);
        Assert.Equal("mine", Encoding.ASCII.GetString(buf[..r.Length]));
        Assert.Equal(1, r.FdCount);
        using (var theirs = SharedMemory.Map(fds[0], 4096))
            Assert.Equal("written by the peer", Encoding.ASCII.GetString(theirs.Span[..19]));

        socket.Send("bye"u8);
        Assert.Equal(0, peer.WaitForExit(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void AClosedPeerProcessIsSeenAsEndOfStream()
    {
        using var listener = UnixListener.Bind(Path.Combine(_dir, "control"));
        using var peer = ServiceHostPeer.Start(["fdpass", listener.Path]);
        using var socket = listener.Accept(30_000) ?? throw new TimeoutException("peer did not connect\n" + peer.Stderr);
        peer.Kill();
        Span<byte> buf = stackalloc byte[16];
        Assert.Equal(ReceiveStatus.Closed, socket.Receive(buf, default, 30_000).Status);
    }
}
