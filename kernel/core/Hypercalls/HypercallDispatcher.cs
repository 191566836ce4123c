using Micro.Core.Domains;
using Micro.Core.EventChannels;
using Micro.Core.GrantTables;
using Micro.Core.Memory;

namespace Micro.Core.Hypercalls;

/// <summary>
/// Decodes guest hypercalls (x86_64: number in rax, arguments in rdi, rsi, rdx, r10, r8), reads their
/// argument structs through the caller's <see cref="GuestMemory"/>, runs the shared operations and
/// returns what Xen returns: 0 or a result, or a negative errno. Unknown hypercalls get -ENOSYS and every
/// failure writes a log line; nothing a guest passes can make the core fault.
/// </summary>
public sealed unsafe partial class HypercallDispatcher
{
    private readonly Hypervisor core;
    private readonly CoreLog log;
    private readonly DomainTable domains;
    private readonly EventChannelOps events;
    private readonly GrantOps grants;
    private readonly DomainOps domainOps;

    internal HypercallDispatcher(Hypervisor core)
    {
        this.core = core;
        log = core.Log;
        domains = core.Domains;
        events = core.Events;
        grants = core.Grants;
        domainOps = core.DomainOps;
    }

    /// <summary>
    /// Runs one hypercall of <paramref name="vcpu"/> of <paramref name="caller"/> under the core lock.
    /// The result goes back to the guest in rax.
    /// </summary>
    public long Dispatch(Domain caller, int vcpu, ulong nr, ulong a1, ulong a2, ulong a3, ulong a4, ulong a5)
    {
        core.Lock.Enter();
        long rc;
        if (!caller.IsAlive || !caller.IsValidVcpu(vcpu))
            rc = -Errno.ESRCH;
        else
            rc = DispatchLocked(caller, vcpu, nr, a1, a2, a3, a4, a5);
        if (rc < 0 && rc != -Errno.ENOSYS)
            log.Write(LogLevel.Warning, "hypercall failed (a: nr << 32 | first argument)", caller.Id, (long)((nr << 32) | (a1 & 0xFFFFFFFF)), rc);
        core.Lock.Exit();
        return rc;
    }

    private long DispatchLocked(Domain caller, int vcpu, ulong nr, ulong a1, ulong a2, ulong a3, ulong a4, ulong a5)
    {
        switch (nr)
        {
            case HypercallNumber.event_channel_op:
                return EventChannelOp(caller, a1, a2);
            case HypercallNumber.grant_table_op:
                return GrantTableOp(caller, a1, a2, a3);
            case HypercallNumber.sched_op:
                return SchedOp(caller, vcpu, a1, a2);
            case HypercallNumber.hvm_op:
                return HvmOp(caller, a1, a2);
            case HypercallNumber.memory_op:
                return MemoryOp(caller, a1, a2);
            case HypercallNumber.vcpu_op:
                return VcpuOp(caller, a1, a2, a3);
            case HypercallNumber.xen_version:
                return XenVersion(caller, a1, a2);
            case HypercallNumber.console_io:
                return ConsoleIo(caller, a1, a2, a3);
            default:
                log.Write(LogLevel.Warning, "unknown hypercall", caller.Id, (long)nr, (long)a1);
                return -Errno.ENOSYS;
        }
    }

    /// <summary>Sub-op numbers arrive in 64-bit registers; anything above 31 bits is no sub-op Xen knows.</summary>
    private static int SubOp(ulong value) => value > int.MaxValue ? -1 : (int)value;

    private long UnknownSubOp(Domain caller, string message, ulong cmd)
    {
        log.Write(LogLevel.Warning, message, caller.Id, (long)cmd, 0);
        return -Errno.ENOSYS;
    }
}
