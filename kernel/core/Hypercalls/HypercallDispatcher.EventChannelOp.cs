using Micro.Core.Domains;
using Micro.Core.EventChannels;
using Micro.Core.Memory;

namespace Micro.Core.Hypercalls;

/// <summary>event_channel_op(cmd, arg).</summary>
public sealed unsafe partial class HypercallDispatcher
{
    private long EventChannelOp(Domain caller, ulong cmd, ulong arg)
    {
        GuestMemory memory = caller.Memory;
        int rc;
        switch (SubOp(cmd))
        {
            case EventChannelAbi.EVTCHNOP_alloc_unbound:
                {
                    EvtchnAllocUnbound op;
                    if (memory.Read(arg, &op, (uint)sizeof(EvtchnAllocUnbound)) < 0)
                        return -Errno.EFAULT;
                    rc = events.AllocUnbound(caller, op.dom, op.remote_dom, out int port);
                    if (rc < 0)
                        return rc;
                    op.port = (uint)port;
                    return WriteBack(memory, arg, &op, (uint)sizeof(EvtchnAllocUnbound));
                }
            case EventChannelAbi.EVTCHNOP_bind_interdomain:
                {
                    EvtchnBindInterdomain op;
                    if (memory.Read(arg, &op, (uint)sizeof(EvtchnBindInterdomain)) < 0)
                        return -Errno.EFAULT;
                    rc = events.BindInterdomain(caller, op.remote_dom, PortArg(op.remote_port), out int port);
                    if (rc < 0)
                        return rc;
                    op.local_port = (uint)port;
                    return WriteBack(memory, arg, &op, (uint)sizeof(EvtchnBindInterdomain));
                }
            case EventChannelAbi.EVTCHNOP_bind_virq:
                {
                    EvtchnBindVirq op;
                    if (memory.Read(arg, &op, (uint)sizeof(EvtchnBindVirq)) < 0)
                        return -Errno.EFAULT;
                    rc = events.BindVirq(caller, PortArg(op.virq), PortArg(op.vcpu), out int port);
                    if (rc < 0)
                        return rc;
                    op.port = (uint)port;
                    return WriteBack(memory, arg, &op, (uint)sizeof(EvtchnBindVirq));
                }
            case EventChannelAbi.EVTCHNOP_bind_ipi:
                {
                    EvtchnBindIpi op;
                    if (memory.Read(arg, &op, (uint)sizeof(EvtchnBindIpi)) < 0)
                        return -Errno.EFAULT;
                    rc = events.BindIpi(caller, PortArg(op.vcpu), out int port);
                    if (rc < 0)
                        return rc;
                    op.port = (uint)port;
                    return WriteBack(memory, arg, &op, (uint)sizeof(EvtchnBindIpi));
                }
            case EventChannelAbi.EVTCHNOP_close:
            case EventChannelAbi.EVTCHNOP_send:
            case EventChannelAbi.EVTCHNOP_unmask:
                {
                    EvtchnPort op;
                    if (memory.Read(arg, &op, (uint)sizeof(EvtchnPort)) < 0)
                        return -Errno.EFAULT;
                    int port = PortArg(op.port);
                    if (cmd == EventChannelAbi.EVTCHNOP_close)
                        return events.Close(caller, port);
                    if (cmd == EventChannelAbi.EVTCHNOP_send)
                        return events.Send(caller, port);
                    return events.Unmask(caller, port);
                }
            case EventChannelAbi.EVTCHNOP_status:
                {
                    EvtchnStatusArgs op;
                    if (memory.Read(arg, &op, (uint)sizeof(EvtchnStatusArgs)) < 0)
                        return -Errno.EFAULT;
                    rc = events.Status(caller, op.dom, PortArg(op.port), out EventChannelStatus status);
                    if (rc < 0)
                        return rc;
                    op.status = status.Status;
                    op.vcpu = status.Vcpu;
                    op.u0 = status.Status == EventChannelStatus.EVTCHNSTAT_virq ? (uint)status.Virq : (uint)status.RemoteDomain;
                    op.u1 = (uint)status.RemotePort;
                    if (status.Status == EventChannelStatus.EVTCHNSTAT_closed || status.Status == EventChannelStatus.EVTCHNSTAT_ipi)
                    {
                        op.u0 = 0;
                        op.u1 = 0;
                    }
                    return WriteBack(memory, arg, &op, (uint)sizeof(EvtchnStatusArgs));
                }
            case EventChannelAbi.EVTCHNOP_bind_vcpu:
                {
                    EvtchnBindVcpu op;
                    if (memory.Read(arg, &op, (uint)sizeof(EvtchnBindVcpu)) < 0)
                        return -Errno.EFAULT;
                    return events.BindVcpu(caller, PortArg(op.port), PortArg(op.vcpu));
                }
            default:
                return UnknownSubOp(caller, "unknown event_channel_op", cmd);
        }
    }

    /// <summary>A 32-bit port, vCPU or virq from a guest; values past int range become -1 (always invalid).</summary>
    private static int PortArg(uint value) => value > int.MaxValue ? -1 : (int)value;

    private static int WriteBack(GuestMemory memory, ulong address, void* value, uint size) =>
        memory.Write(address, value, size) < 0 ? -Errno.EFAULT : 0;
}
