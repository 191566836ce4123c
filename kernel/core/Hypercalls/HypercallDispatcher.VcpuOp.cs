using Micro.Core.Domains;

namespace Micro.Core.Hypercalls;

/// <summary>vcpu_op(cmd, vcpuid, arg): the basics a HVM guest needs.</summary>
public sealed unsafe partial class HypercallDispatcher
{
    private long VcpuOp(Domain caller, ulong cmd, ulong vcpuId, ulong arg)
    {
        if (vcpuId >= (ulong)caller.VcpuCount)
            return -Errno.ENOENT;
        int vcpu = (int)vcpuId;
        switch (SubOp(cmd))
        {
            case VcpuAbi.VCPUOP_is_up:
                // The substrate runs every vCPU it created; the core has no offline vCPUs.
                return 1;
            case VcpuAbi.VCPUOP_register_vcpu_info:
                {
                    VcpuRegisterVcpuInfo op;
                    if (caller.Memory.Read(arg, &op, (uint)sizeof(VcpuRegisterVcpuInfo)) < 0)
                        return -Errno.EFAULT;
                    if (op.rsvd != 0)
                        return -Errno.EINVAL;
                    return domainOps.RegisterVcpuInfo(caller, vcpu, op.mfn, op.offset);
                }
            default:
                return UnknownSubOp(caller, "unknown vcpu_op", cmd);
        }
    }
}
