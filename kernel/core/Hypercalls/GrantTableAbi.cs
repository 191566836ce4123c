namespace Micro.Core.Hypercalls;

/// <summary>GNTTABOP_* sub-ops and their argument structs (xen/include/public/grant_table.h).</summary>
public static class GrantTableAbi
{
    public const int GNTTABOP_map_grant_ref = 0;
    public const int GNTTABOP_unmap_grant_ref = 1;
    public const int GNTTABOP_setup_table = 2;
    public const int GNTTABOP_dump_table = 3;
    public const int GNTTABOP_transfer = 4;
    public const int GNTTABOP_copy = 5;
    public const int GNTTABOP_query_size = 6;
    public const int GNTTABOP_unmap_and_replace = 7;
    public const int GNTTABOP_set_version = 8;
    public const int GNTTABOP_get_status_frames = 9;
    public const int GNTTABOP_get_version = 10;

    /// <summary>How many operations one grant_table_op may carry (Xen preempts instead; the core does not).</summary>
    public const uint MaxBatch = 512;
}

/// <summary>struct gnttab_map_grant_ref (32 bytes).</summary>
public struct GnttabMapGrantRef
{
    public ulong host_addr;
    public uint flags;
    public uint @ref;
    public ushort dom;
    public short status;
    public uint handle;
    public ulong dev_bus_addr;
}

/// <summary>struct gnttab_unmap_grant_ref (24 bytes).</summary>
public struct GnttabUnmapGrantRef
{
    public ulong host_addr;
    public ulong dev_bus_addr;
    public uint handle;
    public short status;
    public ushort pad;
}

/// <summary>struct gnttab_setup_table (24 bytes); frame_list is a guest handle to xen_pfn_t[nr_frames].</summary>
public struct GnttabSetupTable
{
    public ushort dom;
    public ushort pad0;
    public uint nr_frames;
    public short status;
    public ushort pad1;
    public uint pad2;
    public ulong frame_list;
}

/// <summary>struct gnttab_query_size (16 bytes).</summary>
public struct GnttabQuerySize
{
    public ushort dom;
    public ushort pad0;
    public uint nr_frames;
    public uint max_nr_frames;
    public short status;
    public ushort pad1;
}

/// <summary>struct gnttab_get_version (8 bytes); gnttab_set_version is its version field alone.</summary>
public struct GnttabGetVersion
{
    public ushort dom;
    public ushort pad;
    public uint version;
}
