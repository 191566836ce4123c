using Micro.Protocol.Os;

namespace Micro.Protocol.Tests;

/// <summary>The checks on everything a peer sends over a SOCK_SEQPACKET socket.</summary>
public class UnixSocketTests
{
    [Fact]
    public void MessagesKeepTheirBoundaries()
    {
        var (a, b) = UnixSocket.Pair();
        using (a)
        using (b)
        {
            a.Send("one"u8);
            a.Send("three"u8);
            Span<byte> buf = stackalloc byte[16];
            Assert.Equal(3, b.Receive(buf, default, 30_000).Length);
            Assert.Equal(5, b.Receive(buf, default, 30_000).Length);
            Assert.True(buf[..5].SequenceEqual("three"u8));
        }
    }

    [Fact]
    public unsafe void AnFdSentIsADuplicateOfTheSameFile()
    {
        var (a, b) = UnixSocket.Pair();
        using (a)
        using (b)
        {
            using var shm = SharedMemory.Create("dup", 4096);
            a.Send("m"u8, [shm.Fd]);
            Span<byte> buf = stackalloc byte[4];
            Span<int> fds = stackalloc int[2];
            var r = b.Receive(buf, fds, 30_000);
            Assert.Equal(new Received(ReceiveStatus.Message, 1, 1), r);
            Assert.NotEqual(shm.Fd, fds[0]);
            using var other = SharedMemory.Map(fds[0], 4096);
            shm.Span[7] = 42;
            Assert.Equal(42, other.Span[7]);
        }
    }

    [Fact]
    public void TooManyFdsAreRejectedAndAllOfThemClosed()
    {
        var (a, b) = UnixSocket.Pair();
        var (probe, probed) = UnixSocket.Pair();
        using (a)
        using (b)
        using (probe)
        {
            // Three copies of `probed` travel; once the receiver closes them and we close ours, `probe` sees EOF.
            a.Send("x"u8, [probed.Fd, probed.Fd, probed.Fd]);
            probed.Dispose();
            var buf = new byte[4];
            var fds = new int[1];
            var e = Assert.Throws<PeerProtocolException>(() => b.Receive(buf, fds, 30_000));
            Assert.Equal("peer sent 3 fds; at most 1 expected", e.Message);
            AssertClosed(probe);
        }
    }

    [Fact]
    public void FdsWhereNoneAreExpectedAreRejectedAndClosed()
    {
        var (a, b) = UnixSocket.Pair();
        var (probe, probed) = UnixSocket.Pair();
        using (a)
        using (b)
        using (probe)
        {
            a.Send("x"u8, [probed.Fd]);
            probed.Dispose();
            var buf = new byte[4];
            var e = Assert.Throws<PeerProtocolException>(() => b.Receive(buf, default, 30_000));
            Assert.Equal("peer sent 1 fds; at most 0 expected", e.Message);
            AssertClosed(probe);
        }
    }

    [Fact]
    public void AMessageLargerThanTheBufferIsRejectedWithItsSize()
    {
        var (a, b) = UnixSocket.Pair();
        var (probe, probed) = UnixSocket.Pair();
        using (a)
        using (b)
        using (probe)
        {
            a.Send(new byte[5000], [probed.Fd]);
            probed.Dispose();
            var buf = new byte[4096];
            var fds = new int[1];
            var e = Assert.Throws<PeerProtocolException>(() => b.Receive(buf, fds, 30_000));
            Assert.Equal("message of 5000 bytes does not fit the 4096-byte buffer (truncated)", e.Message);
            AssertClosed(probe);
            // The socket is still usable afterwards.
            a.Send("ok"u8);
            Assert.Equal(2, b.Receive(buf, fds, 30_000).Length);
        }
    }

    [Fact]
    public unsafe void ControlDataBeyondTheReceiveRoomIsReportedAsTruncated()
    {
        var (a, b) = UnixSocket.Pair();
        var (probe, probed) = UnixSocket.Pair();
        using (a)
        using (b)
        using (probe)
        {
            // 30 fds in one SCM_RIGHTS message, built by hand since Send allows at most 16.
            const int n = 30;
            byte* control = stackalloc byte[LibC.CmsgSpace(n * 4)];
            new Span<byte>(control, LibC.CmsgSpace(n * 4)).Clear();
            var h = (LibC.CmsgHdr*)control;
            h->Length = (nuint)LibC.CmsgLen(n * 4);
            h->Level = LibC.SOL_SOCKET;
            h->Type = LibC.SCM_RIGHTS;
            new Span<int>(control + LibC.CmsgHeaderSize, n).Fill(probed.Fd);
            byte data = 1;
            var iov = new LibC.IoVec { Base = &data, Length = 1 };
            var msg = new LibC.MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = (nuint)LibC.CmsgSpace(n * 4) };
            Assert.Equal(1, LibC.SendMsg(a.Fd, &msg, 0));
            probed.Dispose();

            var buf = new byte[4];
            var fds = new int[4];
            var e = Assert.Throws<PeerProtocolException>(() => b.Receive(buf, fds, 30_000));
            Assert.Equal($"peer sent more than {UnixSocket.MaxFds + 4} fds or oversized control data (truncated)", e.Message);
            AssertClosed(probe);
        }
    }

    [Fact]
    public void EmptyMessagesCannotBeSentSinceTheyLookLikeAClose()
    {
        var (a, b) = UnixSocket.Pair();
        using (a)
        using (b)
            Assert.Throws<ArgumentException>(() => a.Send(default));
    }

    [Fact]
    public void CloseAndTimeoutAreReportedAsSuch()
    {
        var (a, b) = UnixSocket.Pair();
        using (b)
        {
            Span<byte> buf = stackalloc byte[4];
            Assert.Equal(ReceiveStatus.TimedOut, b.Receive(buf, default, 10).Status);
            a.Dispose();
            Assert.Equal(ReceiveStatus.Closed, b.Receive(buf, default, 30_000).Status);
            Assert.Equal(ReceiveStatus.Closed, b.Receive(buf, default).Status);
        }
    }

    [Fact]
    public void SendingToAClosedPeerIsAnIOError()
    {
        var (a, b) = UnixSocket.Pair();
        b.Dispose();
        using (a)
            Assert.Equal("peer closed the socket", Assert.Throws<IOException>(() => a.Send("x"u8)).Message);
    }

    [Fact]
    public void AdoptAcceptsOnlyUnixSeqpacketSockets()
    {
        using var evt = EventFd.Create();
        Assert.Contains("is not a socket", Assert.Throws<IOException>(() => UnixSocket.Adopt(evt.Fd)).Message);
        var (a, b) = UnixSocket.Pair();
        using (a)
        using (b)
        {
            using var adopted = UnixSocket.Adopt(LibC.Dup(a.Fd));
            adopted.Send("via adopted"u8);
            Span<byte> buf = stackalloc byte[16];
            Assert.Equal(11, b.Receive(buf, default, 30_000).Length);
        }
    }

    [Fact]
    public void PeerCredentialsNameThisProcessForAPair()
    {
        var (a, b) = UnixSocket.Pair();
        using (a)
        using (b)
            Assert.Equal(Environment.ProcessId, a.Peer.Pid);
    }

    [Fact]
    public void AListenerAcceptsByPathAndRemovesItOnDispose()
    {
        string dir = ServiceHostPeer.TempDirectory();
        try
        {
            string path = Path.Combine(dir, "s");
            using (var listener = UnixListener.Bind(path))
            {
                Assert.Null(listener.Accept(0));
                using var client = UnixSocket.Connect(path);
                using var server = listener.Accept(30_000)!;
                client.Send("hi"u8);
                Span<byte> buf = stackalloc byte[4];
                Assert.Equal(2, server.Receive(buf, default, 30_000).Length);
                Assert.Equal(Environment.ProcessId, server.Peer.Pid);
            }
            Assert.False(File.Exists(path));
            Assert.Throws<IOException>(() => UnixSocket.Connect(path));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    private static void AssertClosed(UnixSocket probe)
    {
        Span<byte> buf = stackalloc byte[4];
        Assert.Equal(ReceiveStatus.Closed, probe.Receive(buf, default, 30_000).Status);
    }
}
