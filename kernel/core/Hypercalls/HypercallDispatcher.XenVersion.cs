using Micro.Core.Domains;
using Micro.Core.Memory;

namespace Micro.Core.Hypercalls;

/// <summary>xen_version(cmd, arg).</summary>
public sealed unsafe partial class HypercallDispatcher
{
    private long XenVersion(Domain caller, ulong cmd, ulong arg)
    {
        GuestMemory memory = caller.Memory;
        switch (SubOp(cmd))
        {
            case XenVersionAbi.XENVER_version:
                return (XenVersionAbi.Major << 16) | XenVersionAbi.Minor;
            case XenVersionAbi.XENVER_extraversion:
                return WriteText(memory, arg, ".0-micro", XenVersionAbi.ExtraversionSize);
            case XenVersionAbi.XENVER_compile_info:
                return WriteText(memory, arg, "micro", XenVersionAbi.CompileInfoSize);
            case XenVersionAbi.XENVER_capabilities:
                return WriteText(memory, arg, "hvm-3.0-x86_64", XenVersionAbi.CapabilitiesSize);
            case XenVersionAbi.XENVER_changeset:
                return WriteText(memory, arg, "micro", XenVersionAbi.ChangesetSize);
            case XenVersionAbi.XENVER_guest_handle:
                return WriteText(memory, arg, "", XenVersionAbi.GuestHandleSize);
            case XenVersionAbi.XENVER_commandline:
                return WriteText(memory, arg, "", XenVersionAbi.CommandlineSize);
            case XenVersionAbi.XENVER_platform_parameters:
                {
                    ulong virtStart = XenVersionAbi.VirtStart;
                    return WriteBack(memory, arg, &virtStart, 8);
                }
            case XenVersionAbi.XENVER_get_features:
                {
                    XenFeatureInfo op;
                    if (memory.Read(arg, &op, (uint)sizeof(XenFeatureInfo)) < 0)
                        return -Errno.EFAULT;
                    op.submap = op.submap_idx != 0 ? 0 :
                        (1u << XenVersionAbi.XENFEAT_auto_translated_physmap) |
                        (1u << XenVersionAbi.XENFEAT_hvm_callback_vector) |
                        (1u << XenVersionAbi.XENFEAT_hvm_safe_pvclock);
                    return WriteBack(memory, arg, &op, (uint)sizeof(XenFeatureInfo));
                }
            case XenVersionAbi.XENVER_pagesize:
                return PageAllocator.PageSize;
            default:
                return UnknownSubOp(caller, "unknown xen_version", cmd);
        }
    }

    /// <summary>Writes an ASCII text into a fixed char array of <paramref name="size"/>, zero-filled.</summary>
    private static int WriteText(GuestMemory memory, ulong address, string text, uint size)
    {
        byte* field = memory.Translate(address, size);
        if (field == null)
            return -Errno.EFAULT;
        for (uint i = 0; i < size; i++)
            field[i] = i < (uint)text.Length && i < size - 1 ? (byte)text[(int)i] : (byte)0;
        return 0;
    }
}
