namespace Micro.Core.GrantTables;

/// <summary>
/// grant_entry_v1 flags (GTF_*) and map flags (GNTMAP_*) from xen/include/public/grant_table.h.
/// A v1 entry is { uint16 flags; domid_t domid; uint32 frame }, 8 bytes.
/// </summary>
public static class GrantFlags
{
    public const ushort GTF_invalid = 0;
    public const ushort GTF_permit_access = 1;
    public const ushort GTF_accept_transfer = 2;
    public const ushort GTF_transitive = 3;
    public const ushort GTF_type_mask = 3;
    public const ushort GTF_readonly = 1 << 2;
    public const ushort GTF_reading = 1 << 3;
    public const ushort GTF_writing = 1 << 4;

    public const uint GNTMAP_device_map = 1 << 0;
    public const uint GNTMAP_host_map = 1 << 1;
    public const uint GNTMAP_readonly = 1 << 2;
    public const uint GNTMAP_application_map = 1 << 3;
    public const uint GNTMAP_contains_pte = 1 << 4;

    /// <summary>Reserved refs 0..7 (GNTTAB_NR_RESERVED_ENTRIES): the toolstack seeds console and xenstore.</summary>
    public const int GNTTAB_NR_RESERVED_ENTRIES = 8;
    public const int GNTTAB_RESERVED_CONSOLE = 0;
    public const int GNTTAB_RESERVED_XENSTORE = 1;
}
