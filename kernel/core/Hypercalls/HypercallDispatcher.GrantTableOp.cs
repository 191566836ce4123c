using Micro.Core.Domains;
using Micro.Core.GrantTables;
using Micro.Core.Memory;

namespace Micro.Core.Hypercalls;

/// <summary>grant_table_op(cmd, uop, count): each op's status goes into its own struct, as in Xen.</summary>
public sealed unsafe partial class HypercallDispatcher
{
    private long GrantTableOp(Domain caller, ulong cmd, ulong uop, ulong count)
    {
        if (count > GrantTableAbi.MaxBatch)
            return -Errno.EINVAL;
        uint n = (uint)count;
        GuestMemory memory = caller.Memory;
        switch (SubOp(cmd))
        {
            case GrantTableAbi.GNTTABOP_map_grant_ref:
                for (uint i = 0; i < n; i++)
                {
                    ulong at = uop + ((ulong)i * (ulong)sizeof(GnttabMapGrantRef));
                    GnttabMapGrantRef op;
                    if (memory.Read(at, &op, (uint)sizeof(GnttabMapGrantRef)) < 0)
                        return -Errno.EFAULT;
                    op.status = MapOne(caller, ref op);
                    if (memory.Write(at, &op, (uint)sizeof(GnttabMapGrantRef)) < 0)
                        return -Errno.EFAULT;
                }
                return 0;
            case GrantTableAbi.GNTTABOP_unmap_grant_ref:
                for (uint i = 0; i < n; i++)
                {
                    ulong at = uop + ((ulong)i * (ulong)sizeof(GnttabUnmapGrantRef));
                    GnttabUnmapGrantRef op;
                    if (memory.Read(at, &op, (uint)sizeof(GnttabUnmapGrantRef)) < 0)
                        return -Errno.EFAULT;
                    op.status = op.handle > int.MaxValue
                        ? GrantStatus.bad_handle
                        : (short)grants.Unmap(caller, (int)op.handle, op.host_addr);
                    if (op.status != GrantStatus.okay)
                        log.Write(LogLevel.Warning, "grant unmap failed", caller.Id, op.handle, op.status);
                    if (memory.Write(at, &op, (uint)sizeof(GnttabUnmapGrantRef)) < 0)
                        return -Errno.EFAULT;
                }
                return 0;
            case GrantTableAbi.GNTTABOP_setup_table:
                return n == 0 ? 0 : SetupTable(caller, uop);
            case GrantTableAbi.GNTTABOP_query_size:
                return n == 0 ? 0 : QuerySize(caller, uop);
            case GrantTableAbi.GNTTABOP_set_version:
                {
                    uint version;
                    if (memory.Read(uop, &version, 4) < 0)
                        return -Errno.EFAULT;
                    // Only v1 exists here; Xen with max_version 1 answers v2 with -ENOSYS.
                    if (version == 2)
                        return -Errno.ENOSYS;
                    if (version != 1)
                        return -Errno.EINVAL;
                    return 0;
                }
            case GrantTableAbi.GNTTABOP_get_version:
                {
                    GnttabGetVersion op;
                    if (memory.Read(uop, &op, (uint)sizeof(GnttabGetVersion)) < 0)
                        return -Errno.EFAULT;
                    if (op.dom != DomId.Self && op.dom != caller.Id)
                        return domains.Lookup(op.dom) == null ? -Errno.ESRCH : -Errno.EPERM;
                    op.version = 1;
                    return WriteBack(memory, uop, &op, (uint)sizeof(GnttabGetVersion));
                }
            default:
                return UnknownSubOp(caller, "unknown grant_table_op", cmd);
        }
    }

    private short MapOne(Domain caller, ref GnttabMapGrantRef op)
    {
        op.handle = uint.MaxValue;
        op.dev_bus_addr = 0;
        // Xen maps only with host_map or device_map; an HVM guest maps into its own physical space.
        if ((op.flags & (GrantFlags.GNTMAP_host_map | GrantFlags.GNTMAP_device_map)) == 0)
            return GrantStatus.bad_gntref;
        if ((op.flags & GrantFlags.GNTMAP_host_map) == 0 || (op.host_addr & 0xFFF) != 0)
            return GrantStatus.general_error;
        if (op.@ref > int.MaxValue)
            return GrantStatus.bad_gntref;
        bool readOnly = (op.flags & GrantFlags.GNTMAP_readonly) != 0;
        int status = grants.Map(caller, op.dom, (int)op.@ref, readOnly, hostMap: true, op.host_addr, out int handle, out ulong _);
        if (status != GrantStatus.okay)
        {
            log.Write(LogLevel.Warning, "grant map failed", caller.Id, ((long)op.dom << 32) | op.@ref, status);
            return (short)status;
        }
        op.handle = (uint)handle;
        return GrantStatus.okay;
    }

    private long SetupTable(Domain caller, ulong uop)
    {
        GuestMemory memory = caller.Memory;
        GnttabSetupTable op;
        if (memory.Read(uop, &op, (uint)sizeof(GnttabSetupTable)) < 0)
            return -Errno.EFAULT;
        Domain? d = domains.Resolve(caller, op.dom);
        if (d == null || !d.IsAlive)
            op.status = GrantStatus.bad_domain;
        else if (d != caller)
            op.status = GrantStatus.permission_denied;
        else if (op.nr_frames > (uint)d.Grants.MaxFrames || d.Grants.Grow((int)op.nr_frames) < 0)
            op.status = GrantStatus.general_error;
        else
        {
            op.status = GrantStatus.okay;
            for (uint i = 0; i < op.nr_frames; i++)
            {
                ulong gfn = d.Grants.FrameGfn((int)i);
                if (memory.Write(op.frame_list + (i * 8UL), &gfn, 8) < 0)
                    return -Errno.EFAULT;
            }
        }
        return WriteBack(memory, uop, &op, (uint)sizeof(GnttabSetupTable));
    }

    private long QuerySize(Domain caller, ulong uop)
    {
        GuestMemory memory = caller.Memory;
        GnttabQuerySize op;
        if (memory.Read(uop, &op, (uint)sizeof(GnttabQuerySize)) < 0)
            return -Errno.EFAULT;
        Domain? d = domains.Resolve(caller, op.dom);
        if (d == null || !d.IsAlive)
        {
            op.status = GrantStatus.bad_domain;
        }
        else if (d != caller)
        {
            op.status = GrantStatus.permission_denied;
        }
        else
        {
            op.status = GrantStatus.okay;
            op.nr_frames = (uint)d.Grants.FrameCount;
            op.max_nr_frames = (uint)d.Grants.MaxFrames;
        }
        return WriteBack(memory, uop, &op, (uint)sizeof(GnttabQuerySize));
    }
}
