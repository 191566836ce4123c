using Micro.Core.Domains;
using Micro.Core.Memory;

namespace Micro.Core.Hypercalls;

/// <summary>hvm_op(cmd, arg).</summary>
public sealed unsafe partial class HypercallDispatcher
{
    private long HvmOp(Domain caller, ulong cmd, ulong arg)
    {
        GuestMemory memory = caller.Memory;
        switch (SubOp(cmd))
        {
            case HvmAbi.HVMOP_set_param:
            case HvmAbi.HVMOP_get_param:
                {
                    XenHvmParam op;
                    if (memory.Read(arg, &op, (uint)sizeof(XenHvmParam)) < 0)
                        return -Errno.EFAULT;
                    int index = op.index > int.MaxValue ? -1 : (int)op.index;
                    if (cmd == HvmAbi.HVMOP_set_param)
                        return domainOps.SetHvmParam(caller, op.domid, index, op.value);
                    int rc = domainOps.GetHvmParam(caller, op.domid, index, out ulong value);
                    if (rc < 0)
                        return rc;
                    op.value = value;
                    return WriteBack(memory, arg, &op, (uint)sizeof(XenHvmParam));
                }
            case HvmAbi.HVMOP_set_evtchn_upcall_vector:
                {
                    XenHvmEvtchnUpcallVector op;
                    if (memory.Read(arg, &op, (uint)sizeof(XenHvmEvtchnUpcallVector)) < 0)
                        return -Errno.EFAULT;
                    return domainOps.SetUpcallVector(caller, op.vcpu > int.MaxValue ? -1 : (int)op.vcpu, op.vector);
                }
            default:
                return UnknownSubOp(caller, "unknown hvm_op", cmd);
        }
    }
}
