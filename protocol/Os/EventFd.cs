namespace Micro.Protocol.Os;

/// <summary>
/// A Linux eventfd: a 64-bit counter that one side adds to (<see cref="Signal"/>) and the other
/// drains (<see cref="TryConsume"/>, <see cref="Wait"/>). The fd is a capability like a memfd: it can be
/// duplicated and passed to another process over SCM_RIGHTS. The fd is non-blocking; waiting is done with poll.
/// </summary>
public sealed unsafe class EventFd : IDisposable
{
    public int Fd { get; private set; }

    private EventFd(int fd) => Fd = fd;

    public static EventFd Create()
    {
        int fd = LibC.EventFd(0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK);
        if (fd < 0)
            throw new IOException($"eventfd: {LibC.Describe(LibC.Errno)}");
        return new EventFd(fd);
    }

    /// <summary>
    /// Adopts an fd received from a peer, after checking that it really is an eventfd (a peer could send
    /// a pipe or a socket that blocks or misbehaves instead). Takes ownership of the fd on success only.
    /// </summary>
    public static EventFd Adopt(int fd)
    {
        string? target = LibC.FdTarget(fd);
        if (target != "anon_inode:[eventfd]")
            throw new IOException($"fd {fd} is not an eventfd (it is {target ?? "unknown"})");
        int flags = LibC.Fcntl(fd, 3 /* F_GETFL */, 0);
        if (flags < 0 || LibC.Fcntl(fd, 4 /* F_SETFL */, flags | LibC.EFD_NONBLOCK) != 0)
            throw new IOException($"fd {fd}: setting O_NONBLOCK: {LibC.Describe(LibC.Errno)}");
        return new EventFd(fd);
    }

    /// <summary>A second fd for the same eventfd (the caller owns it), e.g. to pass to a peer.</summary>
    public EventFd Duplicate()
    {
        int fd = LibC.Fcntl(Fd, 1030 /* F_DUPFD_CLOEXEC */, 0);
        if (fd < 0)
            throw new IOException($"dup(eventfd {Fd}): {LibC.Describe(LibC.Errno)}");
        return new EventFd(fd);
    }

    /// <summary>Adds one to the counter, waking a waiter.</summary>
    public void Signal()
    {
        ulong one = 1;
        while (true)
        {
            nint n = LibC.Write(Fd, &one, 8);
            if (n == 8)
                return;
            int err = LibC.Errno;
            // EAGAIN: the counter is at its maximum, so a wakeup is already pending; nothing is lost.
            if (n < 0 && err == LibC.EAGAIN)
                return;
            if (n < 0 && err == LibC.EINTR)
                continue;
            throw new IOException($"eventfd write (fd {Fd}): {LibC.Describe(err)}");
        }
    }

    /// <summary>Reads and resets the counter without blocking; 0 when nothing was signalled.</summary>
    public ulong TryConsume()
    {
        ulong value;
        while (true)
        {
            nint n = LibC.Read(Fd, &value, 8);
            if (n == 8)
                return value;
            int err = LibC.Errno;
            if (n < 0 && err == LibC.EAGAIN)
                return 0;
            if (n < 0 && err == LibC.EINTR)
                continue;
            throw new IOException($"eventfd read (fd {Fd}): {LibC.Describe(err)}");
        }
    }

    /// <summary>Blocks until signalled or <paramref name="timeoutMs"/> passes (-1: forever); returns the counter, 0 on timeout.</summary>
    /// <remarks>poll then read: two system calls whether or not a signal is already waiting.</remarks>
    public ulong Wait(int timeoutMs) => Poll.WaitReadable(Fd, timeoutMs) ? TryConsume() : 0;

    public void Dispose()
    {
        if (Fd >= 0)
        {
            LibC.Close(Fd);
            Fd = -1;
        }
    }
}
