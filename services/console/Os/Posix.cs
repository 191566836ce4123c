using System.Runtime.InteropServices;

namespace Micro.Console.Os;

/// <summary>The few system calls the daemon needs beyond protocol/Os (x86-64 Linux).</summary>
internal static unsafe partial class Posix
{
    public const short POLLIN = 1, POLLOUT = 4;
    public const int EINTR = 4, EAGAIN = 11, EPIPE = 32, ECONNRESET = 104;
    public const int MSG_DONTWAIT = 0x40, MSG_NOSIGNAL = 0x4000;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMs);

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    public static partial nint Send(int fd, void* buf, nuint length, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "fstat", SetLastError = true)]
    public static partial int Fstat(int fd, void* statbuf);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEuid();

    public static int Errno => Marshal.GetLastPInvokeError();

    public static string Describe(int errno) => $"errno {errno} ({Marshal.GetPInvokeErrorMessage(errno)})";
}
