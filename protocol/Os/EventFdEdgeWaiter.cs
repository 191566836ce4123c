using System.Diagnostics;

namespace Micro.Protocol.Os;

/// <summary>
/// Sleeps until an eventfd is signalled again, in one system call per wakeup: the eventfd sits in an
/// edge-triggered epoll set, and every write to it is a new edge, so the counter need not be read back
/// (poll then read would be two calls, and a system call costs about a microsecond on these machines).
///
/// The counter is read only after a sleep that saw no edge. That covers a counter a hostile peer filled
/// up (a full counter makes writers' non-blocking writes fail and so produce no edge): such a peer can
/// delay our wakeups, but never by more than <see cref="MaxSleepMs"/>. Reading the counter can consume a
/// signal whose edge is still queued, so a count found there is reported as a wakeup too; wakeups can
/// therefore be spurious, and the caller re-checks what it waits for after every return. Never reading
/// the counter at any other time is what keeps this safe: a caller that checks its condition, then calls
/// <see cref="Wait"/>, cannot lose a signal sent after that check. One thread waits.
/// </summary>
public sealed unsafe class EventFdEdgeWaiter : IDisposable
{
    /// <summary>The longest single sleep; callers' longer waits are made of several.</summary>
    public const int MaxSleepMs = 100;

    private readonly EventFd _eventFd;
    private int _epoll;

    /// <summary>Waits on <paramref name="eventFd"/>, which stays the caller's.</summary>
    public EventFdEdgeWaiter(EventFd eventFd)
    {
        _eventFd = eventFd;
        _epoll = LibC.EpollCreate1(LibC.EPOLL_CLOEXEC);
        if (_epoll < 0)
            throw new IOException($"epoll_create1: {LibC.Describe(LibC.Errno)}");
        var ev = new LibC.EpollEvent { Events = LibC.EPOLLIN | LibC.EPOLLET };
        if (LibC.EpollCtl(_epoll, LibC.EPOLL_CTL_ADD, eventFd.Fd, &ev) != 0)
        {
            int err = LibC.Errno;
            LibC.Close(_epoll);
            throw new IOException($"epoll_ctl(eventfd {eventFd.Fd}): {LibC.Describe(err)}");
        }
    }

    /// <summary>
    /// Returns true when the eventfd was signalled since the last wakeup (possibly before this call; possibly
    /// spuriously, see above), false after <paramref name="timeoutMs"/> without one (-1: no limit, 0: just look).
    /// </summary>
    public bool Wait(int timeoutMs)
    {
        ObjectDisposedException.ThrowIf(_epoll < 0, this);
        long start = Stopwatch.GetTimestamp();
        LibC.EpollEvent ev;
        while (true)
        {
            int left = timeoutMs < 0 ? MaxSleepMs : Math.Min(MaxSleepMs, timeoutMs - (int)Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            int n = LibC.EpollWait(_epoll, &ev, 1, Math.Max(0, left));
            if (n > 0)
                return true;
            if (n < 0)
            {
                int err = LibC.Errno;
                if (err == LibC.EINTR)
                    continue;
                throw new IOException($"epoll_wait: {LibC.Describe(err)}");
            }
            // A whole sleep without an edge: the counter may have filled up and writers stopped making edges.
            if (_eventFd.TryConsume() != 0)
                return true;
            if (timeoutMs >= 0 && Stopwatch.GetElapsedTime(start).TotalMilliseconds >= timeoutMs)
                return false;
        }
    }

    public void Dispose()
    {
        if (_epoll >= 0)
        {
            LibC.Close(_epoll);
            _epoll = -1;
        }
    }
}
