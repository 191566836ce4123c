using System.Text;

namespace Micro.Protocol.Os;

/// <summary>
/// A connected SOCK_SEQPACKET Unix socket: whole messages, each with up to <see cref="MaxFds"/> file
/// descriptors attached as SCM_RIGHTS. This is how capabilities (memfds, eventfds) travel between
/// processes in the hosted build; the data itself then moves through the shared memory they name.
/// Everything received is checked: a truncated message, truncated or unexpected control data, or more
/// fds than the caller asked for is a <see cref="PeerProtocolException"/>, with every received fd closed.
/// </summary>
public sealed unsafe class UnixSocket : IDisposable
{
    /// <summary>The most fds one message may carry (the kernel allows 253; nothing here needs more than a few).</summary>
    public const int MaxFds = 16;

    public int Fd { get; private set; }

    private UnixSocket(int fd) => Fd = fd;

    /// <summary>Two connected ends (socketpair), both close-on-exec.</summary>
    public static (UnixSocket, UnixSocket) Pair()
    {
        int* fds = stackalloc int[2];
        if (LibC.SocketPair(LibC.AF_UNIX, LibC.SOCK_SEQPACKET | LibC.SOCK_CLOEXEC, 0, fds) != 0)
            throw new IOException($"socketpair: {LibC.Describe(LibC.Errno)}");
        return (new UnixSocket(fds[0]), new UnixSocket(fds[1]));
    }

    /// <summary>Connects to a <see cref="UnixListener"/> at <paramref name="path"/>.</summary>
    public static UnixSocket Connect(string path)
    {
        int fd = LibC.Socket(LibC.AF_UNIX, LibC.SOCK_SEQPACKET | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0)
            throw new IOException($"socket: {LibC.Describe(LibC.Errno)}");
        byte* addr = stackalloc byte[2 + LibC.SunPathLength];
        uint len = SocketAddress(path, addr);
        if (LibC.Connect(fd, addr, len) != 0)
        {
            int err = LibC.Errno;
            LibC.Close(fd);
            throw new IOException($"connect({path}): {LibC.Describe(err)}");
        }
        return new UnixSocket(fd);
    }

    /// <summary>
    /// Adopts an inherited or received fd after checking it is a Unix SOCK_SEQPACKET socket, and marks it
    /// close-on-exec so it goes no further. Takes ownership of the fd on success only.
    /// </summary>
    public static UnixSocket Adopt(int fd)
    {
        int type = 0, domain = 0;
        uint size = sizeof(int);
        if (LibC.GetSockOpt(fd, LibC.SOL_SOCKET, 3 /* SO_TYPE */, &type, &size) != 0)
            throw new IOException($"fd {fd} is not a socket: {LibC.Describe(LibC.Errno)}");
        size = sizeof(int);
        if (LibC.GetSockOpt(fd, LibC.SOL_SOCKET, 39 /* SO_DOMAIN */, &domain, &size) != 0 || domain != LibC.AF_UNIX || type != LibC.SOCK_SEQPACKET)
            throw new IOException($"fd {fd} is not a Unix SOCK_SEQPACKET socket (domain {domain}, type {type})");
        if (LibC.Fcntl(fd, LibC.F_SETFD, LibC.FD_CLOEXEC) != 0)
            throw new IOException($"fd {fd}: FD_CLOEXEC: {LibC.Describe(LibC.Errno)}");
        return new UnixSocket(fd);
    }

    internal static UnixSocket FromAccepted(int fd) => new(fd);

    /// <summary>Fills a sockaddr_un; returns its length.</summary>
    internal static uint SocketAddress(string path, byte* addr)
    {
        int n = Encoding.UTF8.GetByteCount(path);
        if (n == 0 || n >= LibC.SunPathLength)
            throw new ArgumentException($"Unix socket path must be 1..{LibC.SunPathLength - 1} bytes: {path}", nameof(path));
        new Span<byte>(addr, 2 + LibC.SunPathLength).Clear();
        *(ushort*)addr = LibC.AF_UNIX;
        Encoding.UTF8.GetBytes(path, new Span<byte>(addr + 2, LibC.SunPathLength));
        return (uint)(2 + n + 1);
    }

    /// <summary>The pid, uid and gid of the process that created the other end.</summary>
    public PeerCredentials Peer
    {
        get
        {
            LibC.UCred cred;
            uint size = (uint)sizeof(LibC.UCred);
            if (LibC.GetSockOpt(Fd, LibC.SOL_SOCKET, LibC.SO_PEERCRED, &cred, &size) != 0)
                throw new IOException($"SO_PEERCRED: {LibC.Describe(LibC.Errno)}");
            return new PeerCredentials(cred.Pid, cred.Uid, cred.Gid);
        }
    }

    /// <summary>
    /// Sends one message with <paramref name="fds"/> attached (the fds stay ours: the peer gets its own
    /// duplicates). Empty messages are not allowed, since the receiver could not tell them from a close.
    /// </summary>
    public void Send(ReadOnlySpan<byte> data, ReadOnlySpan<int> fds = default)
    {
        if (data.IsEmpty)
            throw new ArgumentException("a message needs at least one byte", nameof(data));
        if (fds.Length > MaxFds)
            throw new ArgumentOutOfRangeException(nameof(fds), $"{fds.Length} fds; at most {MaxFds} per message");
        int controlSize = fds.IsEmpty ? 0 : LibC.CmsgSpace(fds.Length * sizeof(int));
        byte* control = stackalloc byte[LibC.CmsgSpace(MaxFds * sizeof(int))];
        if (!fds.IsEmpty)
        {
            new Span<byte>(control, controlSize).Clear();
            var header = (LibC.CmsgHdr*)control;
            header->Length = (nuint)LibC.CmsgLen(fds.Length * sizeof(int));
            header->Level = LibC.SOL_SOCKET;
            header->Type = LibC.SCM_RIGHTS;
            fds.CopyTo(new Span<int>(control + LibC.CmsgHeaderSize, fds.Length));
        }
        fixed (byte* p = data)
        {
            var iov = new LibC.IoVec { Base = p, Length = (nuint)data.Length };
            var msg = new LibC.MsgHdr
            {
                Iov = &iov,
                IovLength = 1,
                Control = fds.IsEmpty ? null : control,
                ControlLength = (nuint)controlSize,
            };
            while (true)
            {
                nint n = LibC.SendMsg(Fd, &msg, LibC.MSG_NOSIGNAL);
                if (n == data.Length)
                    return;
                int err = LibC.Errno;
                if (n < 0 && err == LibC.EINTR)
                    continue;
                if (n < 0 && (err == LibC.EPIPE || err == LibC.ECONNRESET))
                    throw new IOException("peer closed the socket");
                throw new IOException(n < 0 ? $"sendmsg: {LibC.Describe(err)}" : $"sendmsg sent {n} of {data.Length} bytes");
            }
        }
    }

    /// <summary>
    /// Receives one message into <paramref name="data"/> and its fds into <paramref name="fds"/> (which the
    /// caller then owns; they are close-on-exec). Waits up to <paramref name="timeoutMs"/> (-1: forever).
    /// Throws <see cref="PeerProtocolException"/> when the message does not fit or carries more fds than
    /// <paramref name="fds"/> has room for.
    /// </summary>
    public Received Receive(Span<byte> data, Span<int> fds, int timeoutMs = -1)
    {
        if (fds.Length > MaxFds)
            throw new ArgumentOutOfRangeException(nameof(fds), $"room for {fds.Length} fds; at most {MaxFds}");
        if (timeoutMs >= 0 && !Poll.WaitReadable(Fd, timeoutMs))
            return Received.TimedOut;

        // Room for more fds than the caller wants, so that a peer sending too many is reported precisely.
        const int room = MaxFds + 4;
        int controlSize = LibC.CmsgSpace(room * sizeof(int));
        byte* control = stackalloc byte[controlSize];
        fixed (byte* p = data)
        {
            var iov = new LibC.IoVec { Base = p, Length = (nuint)data.Length };
            var msg = new LibC.MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = (nuint)controlSize };
            nint n;
            while (true)
            {
                n = LibC.RecvMsg(Fd, &msg, LibC.MSG_CMSG_CLOEXEC | LibC.MSG_TRUNC | (timeoutMs >= 0 ? LibC.MSG_DONTWAIT : 0));
                if (n >= 0)
                    break;
                int err = LibC.Errno;
                if (err == LibC.EINTR)
                    continue;
                if (err == LibC.EAGAIN)
                    return Received.TimedOut; // readable said poll, but another reader took it
                if (err == LibC.ECONNRESET)
                    return Received.Closed;
                throw new IOException($"recvmsg: {LibC.Describe(err)}");
            }

            Span<int> got = stackalloc int[room];
            int count = CollectFds(control, (int)msg.ControlLength, got, out string? controlError);
            got = got[..count];
            string? error = controlError;
            if (error is null && (msg.Flags & LibC.MSG_CTRUNC) != 0)
                error = $"peer sent more than {room} fds or oversized control data (truncated)";
            else if (error is null && (msg.Flags & LibC.MSG_TRUNC) != 0)
                error = $"message of {n} bytes does not fit the {data.Length}-byte buffer (truncated)";
            else if (error is null && count > fds.Length)
                error = $"peer sent {count} fds; at most {fds.Length} expected";
            else if (error is null && n == 0 && count > 0)
                error = $"empty message carrying {count} fds";
            if (error is not null)
            {
                foreach (int fd in got)
                    LibC.Close(fd);
                throw new PeerProtocolException(error);
            }
            if (n == 0)
                return Received.Closed;
            got.CopyTo(fds);
            return new Received(ReceiveStatus.Message, (int)n, count);
        }
    }

    /// <summary>Walks the cmsghdr chain, gathering every SCM_RIGHTS fd (so all can be closed on error).</summary>
    private static int CollectFds(byte* control, int length, Span<int> into, out string? error)
    {
        error = null;
        int count = 0;
        int offset = 0;
        while (offset + LibC.CmsgHeaderSize <= length)
        {
            var header = (LibC.CmsgHdr*)(control + offset);
            int len = (int)Math.Min(header->Length, int.MaxValue);
            if (len < LibC.CmsgHeaderSize || offset + len > length)
            {
                error ??= $"malformed control message header (length {len} at offset {offset} of {length})";
                break;
            }
            if (header->Level == LibC.SOL_SOCKET && header->Type == LibC.SCM_RIGHTS)
            {
                int n = (len - LibC.CmsgHeaderSize) / sizeof(int);
                var fds = new ReadOnlySpan<int>(control + offset + LibC.CmsgHeaderSize, n);
                foreach (int fd in fds)
                {
                    if (count < into.Length)
                        into[count++] = fd;
                    else
                        LibC.Close(fd); // cannot happen with a control buffer sized for `into`, but never leak
                }
            }
            else
            {
                error ??= $"unexpected control message (level {header->Level}, type {header->Type})";
            }
            offset += LibC.CmsgAlign(len);
        }
        return count;
    }

    /// <summary>Stops both directions: the peer sees end of stream, and our own pending Receive returns Closed.</summary>
    public void Shutdown() => LibC.Shutdown(Fd, LibC.SHUT_RDWR);

    public void Dispose()
    {
        if (Fd >= 0)
        {
            LibC.Close(Fd);
            Fd = -1;
        }
    }
}
