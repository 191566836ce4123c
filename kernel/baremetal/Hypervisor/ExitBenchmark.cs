using System.Runtime;
using System.Runtime.CompilerServices;
using Micro.BareMetal.Platform;

namespace Micro.BareMetal.Hypervisor;

/// <summary>
/// Command-line word `bench`: prints what the bench guest measured (VMMCALL and IOIO round trips
/// through this hypervisor) next to the same loops run natively, all in TSC ticks of one run, and the
/// boot timestamps (TSC counts from QEMU's reset). tests/bench/baremetal turns these into ratios.
/// </summary>
internal static unsafe class ExitBenchmark
{
    private const ulong Results = 0x104800; // GuestMap.Scratch + 0x800, where the bench guest writes

    [RuntimeImport("*", "bench_call_loop"), MethodImpl(MethodImplOptions.InternalCall)]
    private static extern void CallLoop(ulong n);

    [RuntimeImport("*", "bench_out_loop"), MethodImpl(MethodImplOptions.InternalCall)]
    private static extern void OutLoop(ulong n);

    public static ulong KmainTsc { get; set; }

    /// <summary>TSC at the first world switch into a guest.</summary>
    public static ulong FirstEntryTsc { get; private set; }

    private static ulong s_lastExitTsc, s_switches, s_guestTicks, s_hypervisorTicks;

    /// <summary>
    /// Splits the run at each world switch: from entry to exit the guest runs (with TCG's emulation of
    /// VMRUN and #VMEXIT), from an exit to the next entry this hypervisor does (exit decoding, the
    /// core's dispatch, scheduling, the register and FPU/SSE switch).
    /// </summary>
    public static void Account(ulong entryTsc, ulong exitTsc)
    {
        if (FirstEntryTsc == 0)
            FirstEntryTsc = entryTsc;
        if (s_lastExitTsc != 0 && entryTsc > s_lastExitTsc)
            s_hypervisorTicks += entryTsc - s_lastExitTsc;
        if (exitTsc > entryTsc)
            s_guestTicks += exitTsc - entryTsc;
        s_lastExitTsc = exitTsc;
        s_switches++;
    }

    public static void Report(BareMetalDomain[] domains, int count)
    {
        Line("boot-kmain", 1, KmainTsc);
        Line("boot-first-guest", 1, FirstEntryTsc);
        Line("exit-in-hypervisor", s_switches, s_hypervisorTicks);
        Line("exit-in-guest", s_switches, s_guestTicks);
        for (int i = 0; i < count; i++)
        {
            BareMetalDomain d = domains[i];
            ulong* r = (ulong*)d.Ram.Translate(Results, 32);
            if (r == null || r[3] == 0 || r[3] > 10_000_000 || r[1] < r[0] || r[2] < r[1])
                continue;
            ulong n = r[3];
            Line("guest-vmmcall", n, r[1] - r[0]);
            Line("guest-out", n, r[2] - r[1]);
            ulong t0 = Cpu.ReadTsc();
            CallLoop(n);
            ulong t1 = Cpu.ReadTsc();
            OutLoop(n);
            ulong t2 = Cpu.ReadTsc();
            Line("native-call", n, t1 - t0);
            Line("native-out", n, t2 - t1);
            return;
        }
        Serial.WriteLine("micro: bench: no bench guest results (run with guests=bench)");
    }

    private static void Line(string name, ulong n, ulong ticks)
    {
        Serial.Write("micro: bench ");
        Serial.Write(name);
        Serial.Write(" n=");
        Serial.WriteDec(n);
        Serial.Write(" ticks=");
        Serial.WriteDec(ticks);
        Serial.WriteLine();
    }
}
