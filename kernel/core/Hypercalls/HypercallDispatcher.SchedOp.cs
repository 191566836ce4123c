using Micro.Core.Domains;
using Micro.Core.EventChannels;
using Micro.Core.Memory;

namespace Micro.Core.Hypercalls;

/// <summary>sched_op(cmd, arg): the core never blocks; it tells the substrate to stop running the vCPU.</summary>
public sealed unsafe partial class HypercallDispatcher
{
    private long SchedOp(Domain caller, int vcpu, ulong cmd, ulong arg)
    {
        GuestMemory memory = caller.Memory;
        switch (SubOp(cmd))
        {
            case SchedAbi.SCHEDOP_yield:
                return 0;
            case SchedAbi.SCHEDOP_block:
                TwoLevelEvents.EnableDelivery(caller, vcpu);
                if (!TwoLevelEvents.UpcallPending(caller, vcpu))
                    caller.Substrate.BlockVcpu(vcpu, 0);
                return 0;
            case SchedAbi.SCHEDOP_shutdown:
                {
                    SchedShutdown op;
                    if (memory.Read(arg, &op, (uint)sizeof(SchedShutdown)) < 0)
                        return -Errno.EFAULT;
                    return domainOps.Shutdown(caller, op.reason > int.MaxValue ? -1 : (int)op.reason);
                }
            case SchedAbi.SCHEDOP_poll:
                return Poll(caller, vcpu, arg);
            case SchedAbi.SCHEDOP_remote_shutdown:
                {
                    SchedRemoteShutdown op;
                    if (memory.Read(arg, &op, (uint)sizeof(SchedRemoteShutdown)) < 0)
                        return -Errno.EFAULT;
                    return domainOps.RemoteShutdown(caller, op.domain_id, op.reason > int.MaxValue ? -1 : (int)op.reason);
                }
            default:
                return UnknownSubOp(caller, "unknown sched_op", cmd);
        }
    }

    /// <summary>SCHEDOP_poll: returns at once when a listed port is pending, else blocks until one is or the timeout.</summary>
    private long Poll(Domain caller, int vcpu, ulong arg)
    {
        GuestMemory memory = caller.Memory;
        SchedPoll op;
        if (memory.Read(arg, &op, (uint)sizeof(SchedPoll)) < 0)
            return -Errno.EFAULT;
        if (op.nr_ports > SchedAbi.MaxPollPorts)
            return -Errno.EINVAL;
        int first = -1;
        for (uint i = 0; i < op.nr_ports; i++)
        {
            uint raw;
            if (memory.Read(op.ports + (i * 4UL), &raw, 4) < 0)
                return -Errno.EFAULT;
            int port = PortArg(raw);
            if (!caller.EventChannels.IsValidPort(port))
                return -Errno.EINVAL;
            if (TwoLevelEvents.IsPending(caller, port))
                return 0;
            if (i == 0)
                first = port;
        }
        caller.StartPoll(vcpu, op.nr_ports == 1 ? first : -1);
        caller.Substrate.BlockVcpu(vcpu, op.timeout);
        return 0;
    }
}
