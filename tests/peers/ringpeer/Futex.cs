using System.Runtime.InteropServices;

namespace Micro.RingPeer;

/// <summary>
/// Sleeping on a ring index word in shared memory (a process-shared futex). This stands in for the
/// event channel between two test processes: the side that may sleep waits on the index it is
/// waiting for; the other side wakes it when the ring says the notification is due.
/// </summary>
public static unsafe partial class Futex
{
    private const long SYS_futex = 202; // x86-64
    private const int FUTEX_WAIT = 0, FUTEX_WAKE = 1;

    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, uint* address, int op, uint value, Timespec* timeout, nint address2, uint value3);

    /// <summary>Sleeps while <c>*word == expected</c>, at most <paramref name="timeoutMs"/> (a lost peer never hangs us).</summary>
    public static void Wait(uint* word, uint expected, int timeoutMs)
    {
        var timeout = new Timespec { Seconds = timeoutMs / 1000, Nanoseconds = timeoutMs % 1000 * 1_000_000L };
        Syscall(SYS_futex, word, FUTEX_WAIT, expected, &timeout, 0, 0);
    }

    public static void Wake(uint* word) => Syscall(SYS_futex, word, FUTEX_WAKE, int.MaxValue, null, 0, 0);
}
