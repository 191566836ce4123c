using Micro.BareMetal.Platform;
using Micro.Core.Domains;

namespace Micro.BareMetal.Hypervisor;

/// <summary>
/// Runs the guests on this CPU round-robin, one exit at a time, until every domain has shut down.
/// The domain on the CPU is recorded per CPU and in `micro_running_domain` (for gdb).
/// </summary>
internal static unsafe class DomainScheduler
{
    private const ulong MaxExits = 50_000_000; // a bound, so a spinning guest cannot keep the run from ending

    /// <summary>Print every exit (command-line word `trace`).</summary>
    public static bool Trace { get; set; }

    public static void Run(ExitHandler handler, BareMetalDomain[] domains, int count)
    {
        ulong exits = 0;
        while (exits < MaxExits)
        {
            bool ran = false, anyAlive = false;
            for (int i = 0; i < count; i++)
            {
                BareMetalDomain d = domains[i];
                if (d.Stopped)
                    continue;
                anyAlive = true;
                if (d.Blocked)
                    continue;
                RunOnce(handler, d);
                exits++;
                ran = true;
                if (d.Stopped)
                    Report(d);
            }
            if (!anyAlive)
                return;
            if (!ran && !ExpireTimeouts(domains, count))
            {
                Serial.WriteLine("micro: every remaining guest is blocked with nothing pending");
                return;
            }
        }
        Serial.WriteLine("micro: exit budget used up; stopping the guests");
    }

    /// <summary>
    /// Everyone waits, and nothing but a guest makes events here: the waits with a timeout (SCHEDOP_poll)
    /// end now, as their timeouts would. False when no wait has one: the guests wait for each other.
    /// </summary>
    private static bool ExpireTimeouts(BareMetalDomain[] domains, int count)
    {
        bool woke = false;
        for (int i = 0; i < count; i++)
        {
            BareMetalDomain d = domains[i];
            if (!d.Stopped && d.Blocked && d.BlockTimeoutNs != 0)
            {
                d.Blocked = false;
                woke = true;
            }
        }
        return woke;
    }

    private static void RunOnce(ExitHandler handler, BareMetalDomain d)
    {
        VirtualCpu vcpu = d.Vcpu!;
        if (d.UpcallPending)
        {
            // Owed until the guest can take it; a guest without a callback vector reads
            // evtchn_upcall_pending itself, so nothing is owed then.
            int vector = d.Core!.UpcallVector(0);
            if (vector <= 0)
            {
                d.UpcallPending = false;
            }
            else if (vcpu.InterruptsEnabled)
            {
                vcpu.InjectInterrupt(vector);
                d.UpcallPending = false;
            }
        }
        // The domain stays "running" while its exit is handled, so a breakpoint in the handler shows it.
        RunningDomain.Set(d.Id);
        VcpuExit exit = vcpu.Run();
        ExitBenchmark.Account(vcpu.EntryTsc, vcpu.ExitTsc);
        d.Exits++;
        if (Trace)
        {
            Serial.Write("micro: trace d");
            Serial.WriteDec(d.Id);
            Serial.Write(" exit ");
            Serial.WriteHex(exit.HardwareCode);
            Serial.Write(" rip ");
            Serial.WriteHex(vcpu.Rip);
            Serial.Write(" rax ");
            Serial.WriteHex(vcpu.Rax);
            Serial.WriteLine();
        }
        handler.Handle(d, vcpu, exit);
        RunningDomain.Set(-1);
    }

    private static void Report(BareMetalDomain d)
    {
        Serial.Write("micro: d");
        Serial.WriteDec(d.Id);
        Serial.Write(" (");
        EmbeddedGuests.WriteName(d.GuestIndex);
        Serial.Write(") shut down: ");
        int reason = d.Core!.ShutdownReason;
        Serial.Write(reason == ShutdownReason.Poweroff ? "poweroff" : reason == ShutdownReason.Crash ? "crash" : reason == ShutdownReason.Reboot ? "reboot" : "other");
        Serial.Write(" after ");
        Serial.WriteDec(d.Exits);
        Serial.WriteLine(" exits");
    }
}
