namespace Micro.Core.Hypercalls;

/// <summary>Hypercall numbers (__HYPERVISOR_* in xen/include/public/xen.h).</summary>
public static class HypercallNumber
{
    public const ulong set_trap_table = 0;
    public const ulong mmu_update = 1;
    public const ulong memory_op = 12;
    public const ulong multicall = 13;
    public const ulong set_timer_op = 15;
    public const ulong xen_version = 17;
    public const ulong console_io = 18;
    public const ulong grant_table_op = 20;
    public const ulong vm_assist = 21;
    public const ulong vcpu_op = 24;
    public const ulong xsm_op = 27;
    public const ulong sched_op = 29;
    public const ulong event_channel_op = 32;
    public const ulong physdev_op = 33;
    public const ulong hvm_op = 34;
    public const ulong sysctl = 35;
    public const ulong domctl = 36;
    public const ulong dm_op = 41;
}
