using System.Diagnostics;

namespace Micro.Protocol.Os;

/// <summary>Blocking waits on fds with poll(2), restarted after signals with the time that is left.</summary>
public static unsafe class Poll
{
    /// <summary>Waits until <paramref name="fd"/> is readable or hung up; false on timeout (-1: wait forever).</summary>
    public static bool WaitReadable(int fd, int timeoutMs)
    {
        Span<int> one = [fd];
        return WaitAny(one, timeoutMs) >= 0;
    }

    /// <summary>
    /// Waits until one of <paramref name="fds"/> is readable, hung up or in error; returns the index of the
    /// first such fd, or -1 on timeout (-1 ms: wait forever).
    /// </summary>
    public static int WaitAny(ReadOnlySpan<int> fds, int timeoutMs)
    {
        if (fds.Length > 16)
            throw new ArgumentOutOfRangeException(nameof(fds), "at most 16 fds");
        LibC.PollFd* set = stackalloc LibC.PollFd[fds.Length];
        long start = Stopwatch.GetTimestamp();
        while (true)
        {
            for (int i = 0; i < fds.Length; i++)
                set[i] = new LibC.PollFd { Fd = fds[i], Events = LibC.POLLIN };
            int left = timeoutMs < 0 ? -1 : Math.Max(0, timeoutMs - (int)Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            int n = LibC.Poll(set, (nuint)fds.Length, left);
            if (n > 0)
            {
                for (int i = 0; i < fds.Length; i++)
                {
                    if ((set[i].Revents & LibC.POLLNVAL) != 0)
                        throw new IOException($"poll: fd {fds[i]} is not open");
                    if (set[i].Revents != 0)
                        return i;
                }
            }
            if (n == 0)
                return -1;
            if (n < 0 && LibC.Errno != LibC.EINTR)
                throw new IOException($"poll: {LibC.Describe(LibC.Errno)}");
        }
    }
}
