using Micro.Kernel.Domains;

namespace Micro.Kernel.Hypercalls;

/// <summary>
/// The hypercalls a guest may make that the hosted substrate serves itself: console_io (into the
/// domain's log) and sched_op (yield, block, shutdown). Everything else goes to <paramref name="next"/>.
/// </summary>
public sealed class GuestHypercalls(HypercallHandler? next = null) : HypercallHandler
{
    public const int __HYPERVISOR_xen_version = 17, __HYPERVISOR_console_io = 18, __HYPERVISOR_sched_op = 29;
    public const int CONSOLEIO_write = 0, CONSOLEIO_read = 1;
    public const int SCHEDOP_yield = 0, SCHEDOP_block = 1, SCHEDOP_shutdown = 2, SCHEDOP_poll = 3;
    private const int MaxConsoleWrite = 4096;

    public override long Handle(Vcpu vcpu, in HypercallArgs args)
    {
        switch (args.Op)
        {
            case __HYPERVISOR_console_io:
                return ConsoleIo(vcpu, args);
            case __HYPERVISOR_sched_op:
                return SchedOp(vcpu, args);
            case __HYPERVISOR_xen_version when args.A1 == 0: // XENVER_version
                return (4 << 16) | 17;
            default:
                if (next is not null)
                    return next.Handle(vcpu, args);
                vcpu.Domain.Log.Write($"d{vcpu.Domain.DomId}v{vcpu.Id}: unknown hypercall {args.Op}");
                return -XenErrno.ENOSYS;
        }
    }

    private static long ConsoleIo(Vcpu vcpu, in HypercallArgs args)
    {
        var d = vcpu.Domain;
        if (args.A1 != CONSOLEIO_write)
            return -XenErrno.ENOSYS;
        if (args.A2 > MaxConsoleWrite)
        {
            d.Log.Write($"d{d.DomId}v{vcpu.Id}: console_io write of {args.A2} bytes refused (max {MaxConsoleWrite})");
            return -XenErrno.EINVAL;
        }
        if (!d.Memory.TryGetSpan(args.A3, args.A2, out var bytes))
        {
            d.Log.Write($"d{d.DomId}v{vcpu.Id}: console_io buffer {args.A3:x}+{args.A2} is outside the guest's memory");
            return -XenErrno.EFAULT;
        }
        d.Console.Append(bytes);
        return 0;
    }

    private static long SchedOp(Vcpu vcpu, in HypercallArgs args)
    {
        var d = vcpu.Domain;
        switch (args.A1)
        {
            case SCHEDOP_yield:
                Thread.Yield();
                return 0;
            case SCHEDOP_block:
                vcpu.Block(() => d.Upcalls.Pending(vcpu));
                return 0;
            case SCHEDOP_shutdown:
                if (!d.Memory.TryRead(args.A2, out uint reason))
                    return -XenErrno.EFAULT;
                if (reason > (uint)ShutdownReason.Watchdog)
                    return -XenErrno.EINVAL;
                d.Shutdown((ShutdownReason)reason, "SCHEDOP_shutdown");
                return 0;
            default:
                d.Log.Write($"d{d.DomId}v{vcpu.Id}: sched_op {args.A1} not supported");
                return -XenErrno.ENOSYS;
        }
    }
}
