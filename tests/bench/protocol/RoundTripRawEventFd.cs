using System.Runtime.InteropServices;

namespace Micro.Bench.Protocol;

/// <summary>
/// The baseline: the plainest cross-process wakeup there is, a write(2) to one eventfd answered by a
/// write to another, each side sleeping in a blocking read(2). No shared memory, no framing, no spinning.
/// </summary>
internal static unsafe partial class RoundTripRawEventFd
{
    /// <summary>Clears O_NONBLOCK on the (shared) open file, so reads block in the kernel.</summary>
    public static void MakeBlocking(int fd)
    {
        int flags = Fcntl(fd, 3 /* F_GETFL */, 0);
        if (flags < 0 || Fcntl(fd, 4 /* F_SETFL */, flags & ~0x800 /* O_NONBLOCK */) != 0)
            throw new IOException($"fcntl(fd {fd}): errno {Marshal.GetLastPInvokeError()}");
    }

    public static void Signal(int fd)
    {
        ulong one = 1;
        if (Write(fd, &one, 8) != 8)
            throw new IOException($"eventfd write: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>Blocks in read(2); should the file still be non-blocking, falls back to poll(2) first.</summary>
    public static void Wait(int fd)
    {
        ulong value;
        while (Read(fd, &value, 8) != 8)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno != 11 /* EAGAIN */ && errno != 4 /* EINTR */)
                throw new IOException($"eventfd read: errno {errno}");
            if (!Micro.Protocol.Os.Poll.WaitReadable(fd, 30_000))
                throw new TimeoutException("no eventfd signal from the peer within 30 s");
        }
    }

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint Read(int fd, void* buf, nuint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint Write(int fd, void* buf, nuint count);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int cmd, int arg);
}
