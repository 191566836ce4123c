namespace Micro.Protocol.Os;

/// <summary>
/// A listening SOCK_SEQPACKET Unix socket bound to a path; <see cref="Accept"/> yields connected
/// <see cref="UnixSocket"/>s. Callers learn who connected from <see cref="UnixSocket.Peer"/> and decide
/// whether to talk to them. The path is removed on dispose.
/// </summary>
public sealed unsafe class UnixListener : IDisposable
{
    public int Fd { get; private set; }
    public string Path { get; }

    private UnixListener(int fd, string path)
    {
        Fd = fd;
        Path = path;
    }

    public static UnixListener Bind(string path, int backlog = 16)
    {
        int fd = LibC.Socket(LibC.AF_UNIX, LibC.SOCK_SEQPACKET | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0)
            throw new IOException($"socket: {LibC.Describe(LibC.Errno)}");
        byte* addr = stackalloc byte[2 + LibC.SunPathLength];
        uint len;
        try
        {
            len = UnixSocket.SocketAddress(path, addr);
        }
        catch
        {
            LibC.Close(fd);
            throw;
        }
        if (LibC.Bind(fd, addr, len) != 0 || LibC.Listen(fd, backlog) != 0)
        {
            int err = LibC.Errno;
            LibC.Close(fd);
            throw new IOException($"bind/listen({path}): {LibC.Describe(err)}");
        }
        return new UnixListener(fd, path);
    }

    /// <summary>The next connection, or null when none arrives within <paramref name="timeoutMs"/> (-1: forever).</summary>
    public UnixSocket? Accept(int timeoutMs)
    {
        while (true)
        {
            if (!Poll.WaitReadable(Fd, timeoutMs))
                return null;
            int fd = LibC.Accept4(Fd, null, null, LibC.SOCK_CLOEXEC);
            if (fd >= 0)
                return UnixSocket.FromAccepted(fd);
            int err = LibC.Errno;
            if (err is LibC.EINTR or LibC.EAGAIN or 103 /* ECONNABORTED */)
                continue;
            throw new IOException($"accept({Path}): {LibC.Describe(err)}");
        }
    }

    public void Dispose()
    {
        if (Fd >= 0)
        {
            LibC.Close(Fd);
            Fd = -1;
            LibC.Unlink(Path);
        }
    }
}
