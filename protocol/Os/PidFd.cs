namespace Micro.Protocol.Os;

/// <summary>
/// A pidfd: a handle on one process that becomes readable the moment it dies, whoever reaps it, and
/// that can never refer to a later process that reuses the pid. Open it right after starting the child.
/// </summary>
public sealed class PidFd : IDisposable
{
    public int Fd { get; private set; }
    public int Pid { get; }

    private PidFd(int fd, int pid)
    {
        Fd = fd;
        Pid = pid;
    }

    public static PidFd Open(int pid)
    {
        int fd = LibC.PidfdOpen(pid, 0);
        if (fd < 0)
            throw new IOException($"pidfd_open({pid}): {LibC.Describe(LibC.Errno)}");
        LibC.Fcntl(fd, LibC.F_SETFD, LibC.FD_CLOEXEC);
        return new PidFd(fd, pid);
    }

    /// <summary>True once the process has exited; waits up to <paramref name="timeoutMs"/> (-1: forever, 0: just look).</summary>
    public bool WaitForExit(int timeoutMs) => Poll.WaitReadable(Fd, timeoutMs);

    /// <summary>Sends <paramref name="signal"/> to this process only (pidfd_send_signal cannot hit a reused pid).</summary>
    public bool Signal(int signal) => LibC.PidfdSendSignal(Fd, signal, 0, 0) == 0;

    public void Dispose()
    {
        if (Fd >= 0)
        {
            LibC.Close(Fd);
            Fd = -1;
        }
    }
}
