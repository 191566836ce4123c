using System.Runtime.InteropServices;

namespace Micro.Bench.Kernel;

/// <summary>sched_setaffinity for the calling thread (threads it creates inherit the set).</summary>
internal static partial class CpuAffinity
{
    public static void PinCurrentThread(int cpu)
    {
        ulong mask = 1UL << cpu;
        if (SchedSetAffinity(0, sizeof(ulong), ref mask) != 0)
            throw new InvalidOperationException($"sched_setaffinity(cpu {cpu}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    [LibraryImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    private static partial int SchedSetAffinity(int pid, nuint size, ref ulong mask);
}
