using Micro.Core.Domains;

namespace Micro.Core.Hypercalls;

/// <summary>memory_op(cmd, arg): XENMEM_add_to_physmap for shared_info and grant frames.</summary>
public sealed unsafe partial class HypercallDispatcher
{
    private long MemoryOp(Domain caller, ulong cmd, ulong arg)
    {
        switch (SubOp(cmd & MemoryAbi.MEMOP_CMD_MASK))
        {
            case MemoryAbi.XENMEM_add_to_physmap:
                {
                    XenAddToPhysmap op;
                    if (caller.Memory.Read(arg, &op, (uint)sizeof(XenAddToPhysmap)) < 0)
                        return -Errno.EFAULT;
                    Domain? d = domains.Resolve(caller, op.domid);
                    if (d == null || !d.IsAlive)
                        return -Errno.ESRCH;
                    if (d != caller)
                    {
                        log.Write(LogLevel.Refusal, "add_to_physmap for another domain", caller.Id, op.domid, 0);
                        return -Errno.EPERM;
                    }
                    switch (op.space)
                    {
                        case MemoryAbi.XENMAPSPACE_shared_info:
                            return op.idx != 0 ? -Errno.EINVAL : domainOps.PlaceSharedInfo(d, op.gpfn);
                        case MemoryAbi.XENMAPSPACE_grant_table:
                            if ((op.idx & MemoryAbi.XENMAPIDX_grant_table_status) != 0 || op.idx > int.MaxValue)
                                return -Errno.EINVAL;
                            return grants.PlaceFrame(d, (int)op.idx, op.gpfn);
                        default:
                            return -Errno.EINVAL;
                    }
                }
            default:
                return UnknownSubOp(caller, "unknown memory_op", cmd);
        }
    }
}
