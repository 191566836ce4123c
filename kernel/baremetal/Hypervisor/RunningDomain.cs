using System.Runtime;
using System.Runtime.CompilerServices;
using Micro.BareMetal.Platform;

namespace Micro.BareMetal.Hypervisor;

/// <summary>
/// Which domain this CPU is running: in the per-CPU block, and in the global `micro_running_domain`
/// (hypervisor.asm) so that gdb can print it without knowing any type: `p (int)micro_running_domain`.
/// </summary>
internal static unsafe class RunningDomain
{
    [RuntimeImport("*", "running_domain_set"), MethodImpl(MethodImplOptions.InternalCall)]
    private static extern void SetGlobal(int domid);

    public static void Set(int domid)
    {
        PerCpu.Current->RunningDomain = domid;
        SetGlobal(domid);
    }
}
