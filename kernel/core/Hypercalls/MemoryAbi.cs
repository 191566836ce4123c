namespace Micro.Core.Hypercalls;

/// <summary>XENMEM_* sub-ops and struct xen_add_to_physmap (xen/include/public/memory.h).</summary>
public static class MemoryAbi
{
    /// <summary>memory_op's command is in the low bits; the rest is a continuation start extent.</summary>
    public const ulong MEMOP_CMD_MASK = (1UL << 6) - 1;
    public const int XENMEM_add_to_physmap = 7;

    public const uint XENMAPSPACE_shared_info = 0;
    public const uint XENMAPSPACE_grant_table = 1;
    public const uint XENMAPSPACE_gmfn = 2;
    public const uint XENMAPSPACE_gmfn_range = 3;
    public const uint XENMAPSPACE_gmfn_foreign = 4;
    public const uint XENMAPSPACE_dev_mmio = 5;

    /// <summary>In idx of XENMAPSPACE_grant_table: a v2 status frame, which a v1 table has none of.</summary>
    public const ulong XENMAPIDX_grant_table_status = 0x80000000;
}

/// <summary>struct xen_add_to_physmap (24 bytes).</summary>
public struct XenAddToPhysmap
{
    public ushort domid;
    public ushort size;
    public uint space;
    public ulong idx;
    public ulong gpfn;
}
