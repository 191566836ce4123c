namespace Micro.Protocol.Os;

/// <summary>Pins the calling thread to one CPU (sched_setaffinity on the thread itself), e.g. to place a vCPU or a benchmark side.</summary>
public static unsafe class CpuAffinity
{
    public static void PinCurrentThread(int cpu)
    {
        if (cpu is < 0 or >= 64)
            throw new ArgumentOutOfRangeException(nameof(cpu), $"cpu {cpu} is outside 0..63");
        ulong mask = 1UL << cpu;
        if (LibC.SchedSetAffinity(0, sizeof(ulong), &mask) != 0)
            throw new IOException($"sched_setaffinity(cpu {cpu}): {LibC.Describe(LibC.Errno)}");
    }

    /// <summary>The CPU the calling thread is running on right now.</summary>
    public static int CurrentCpu => LibC.SchedGetCpu();
}
