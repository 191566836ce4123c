using Micro.Core.Domains;
using Micro.Core.Memory;
using Micro.Core.Policy;

namespace Micro.Core.GrantTables;

/// <summary>
/// Grant-table v1 operations (semantics of xen/common/grant_table.c) shared by guest hypercalls and
/// service requests. Map and unmap return GNTST_* status codes, as Xen reports them per operation.
/// Callers hold the core lock.
/// </summary>
public sealed unsafe class GrantOps
{
    private readonly DomainTable domains;
    private readonly PrivilegePolicy policy;

    public GrantOps(DomainTable domains, PrivilegePolicy policy)
    {
        this.domains = domains;
        this.policy = policy;
    }

    /// <summary>
    /// GNTTABOP_map_grant_ref: <paramref name="mapper"/> maps ref <paramref name="gref"/> of
    /// <paramref name="granterId"/>. With <paramref name="hostMap"/> the substrate maps the frame into the
    /// mapper at <paramref name="address"/>; otherwise (a service) the caller maps <paramref name="frame"/>.
    /// </summary>
    public int Map(Domain mapper, int granterId, int gref, bool readOnly, bool hostMap, ulong address,
        out int handle, out ulong frame)
    {
        handle = -1;
        frame = 0;
        Domain? granter = domains.Lookup(granterId);
        if (granter == null || !granter.IsAlive)
            return GrantStatus.bad_domain;
        if (policy.MayMapGrant(mapper, granter, gref) < 0)
            return GrantStatus.permission_denied;
        GrantTable table = granter.Grants;
        if (gref < 0 || gref >= table.EntryCount)
            return GrantStatus.bad_gntref;
        int newHandle = mapper.Grants.AllocateHandle();
        if (newHandle < 0)
            return GrantStatus.no_device_space;

        int rc = Pin(granter, mapper.Id, gref, readOnly);
        if (rc != GrantStatus.okay)
            return rc;
        ulong gfn = table.ActiveFrame(gref);
        if (hostMap && mapper.Substrate.MapForeignFrame(address, granter, gfn, readOnly) < 0)
        {
            Unpin(granter, gref, readOnly);
            return GrantStatus.general_error;
        }

        ref MapTrackEntry entry = ref mapper.Grants.Mapping(newHandle);
        entry.InUse = true;
        entry.ReadOnly = readOnly;
        entry.HostMapped = hostMap;
        entry.Granter = granter.Id;
        entry.GranterGeneration = granter.Generation;
        entry.Ref = gref;
        entry.Address = address;
        entry.Frame = gfn;
        handle = newHandle;
        frame = gfn;
        return GrantStatus.okay;
    }

    /// <summary>
    /// Takes a read (and for writable maps, a write) pin on the granter's entry. The first pin checks the
    /// entry against the mapper and sets GTF_reading/GTF_writing with compare-and-swap, since the granter
    /// may be rewriting the entry at the same moment; later pins reuse what the first one found.
    /// </summary>
    private static int Pin(Domain granter, int mapperId, int gref, bool readOnly)
    {
        GrantTable table = granter.Grants;
        ref ushort readPins = ref table.ReadPinRef(gref);
        ref ushort writePins = ref table.WritePinRef(gref);
        bool firstPin = readPins == 0 && writePins == 0;
        bool needWriting = !readOnly && writePins == 0;
        if (readPins == ushort.MaxValue || writePins == ushort.MaxValue)
            return GrantStatus.no_space;
        if (!firstPin && table.ActiveDomid(gref) != mapperId)
            return GrantStatus.general_error;

        if (firstPin || needWriting)
        {
            ulong* word = table.Entry(gref);
            ulong old = *word;
            while (true)
            {
                ushort flags = GrantTable.FlagsOf(old);
                if ((flags & GrantFlags.GTF_type_mask) != GrantFlags.GTF_permit_access ||
                    GrantTable.DomidOf(old) != mapperId)
                {
                    return GrantStatus.general_error;
                }
                if (!readOnly && (flags & GrantFlags.GTF_readonly) != 0)
                    return GrantStatus.general_error;
                ulong set = GrantFlags.GTF_reading | (readOnly ? 0UL : GrantFlags.GTF_writing);
                ulong seen = (ulong)SharedWord.CompareExchange(word, old | set, old);
                if (seen == old)
                    break;
                old = seen;
            }
            if (firstPin)
            {
                uint gfn = GrantTable.FrameOf(old);
                if (!granter.Memory.HasFrame(gfn))
                {
                    ClearInUseFlags(table, gref, clearReading: true, clearWriting: !readOnly);
                    return GrantStatus.general_error;
                }
                table.ActiveDomid(gref) = mapperId;
                table.ActiveFrame(gref) = gfn;
            }
        }
        if (readOnly)
            readPins++;
        else
            writePins++;
        return GrantStatus.okay;
    }

    private static void Unpin(Domain granter, int gref, bool readOnly)
    {
        GrantTable table = granter.Grants;
        ref ushort readPins = ref table.ReadPinRef(gref);
        ref ushort writePins = ref table.WritePinRef(gref);
        if (readOnly && readPins > 0)
            readPins--;
        else if (!readOnly && writePins > 0)
            writePins--;
        ClearInUseFlags(table, gref, clearReading: readPins == 0 && writePins == 0, clearWriting: writePins == 0);
    }

    private static void ClearInUseFlags(GrantTable table, int gref, bool clearReading, bool clearWriting)
    {
        ulong clear = (clearReading ? GrantFlags.GTF_reading : 0UL) | (clearWriting ? GrantFlags.GTF_writing : 0UL);
        if (clear != 0)
            SharedWord.Update(table.Entry(gref), clear, 0);
    }

    /// <summary>
    /// GNTTABOP_unmap_grant_ref of <paramref name="handle"/>; a nonzero <paramref name="address"/> must be
    /// where the grant was mapped. Unmapping after the granter died just forgets the mapping.
    /// </summary>
    public int Unmap(Domain mapper, int handle, ulong address)
    {
        if (!mapper.Grants.IsValidHandle(handle))
            return GrantStatus.bad_handle;
        ref MapTrackEntry entry = ref mapper.Grants.Mapping(handle);
        if (address != 0 && entry.HostMapped && address != entry.Address)
            return GrantStatus.general_error;
        if (entry.HostMapped)
            mapper.Substrate.UnmapForeignFrame(entry.Address);
        Domain? granter = domains.Lookup(entry.Granter);
        if (granter != null && granter.Generation == entry.GranterGeneration && entry.Ref < granter.Grants.EntryCount)
            Unpin(granter, entry.Ref, entry.ReadOnly);
        entry = default;
        return GrantStatus.okay;
    }

    /// <summary>Unmaps everything a dying domain still maps.</summary>
    public void UnmapAll(Domain mapper)
    {
        for (int handle = 0; handle < GrantTable.MapTrackCapacity; handle++)
        {
            if (mapper.Grants.IsValidHandle(handle))
                Unmap(mapper, handle, 0);
        }
    }

    /// <summary>
    /// XENMEM_add_to_physmap with XENMAPSPACE_grant_table: grows the table to cover frame
    /// <paramref name="index"/> and moves that frame to guest frame <paramref name="gfn"/>.
    /// </summary>
    public int PlaceFrame(Domain d, int index, ulong gfn)
    {
        if (index < 0 || index >= d.Grants.MaxFrames)
            return -Errno.EINVAL;
        if (gfn >= 1UL << 52)
            return -Errno.EINVAL;
        byte* page = d.Memory.Translate(gfn << 12, PageAllocator.PageSize);
        if (page == null)
            return -Errno.EINVAL;
        int rc = d.Grants.Grow(index + 1);
        if (rc < 0)
            return rc;
        d.Grants.PlaceFrame(index, page, gfn);
        return 0;
    }

    /// <summary>
    /// Writes the reserved console and xenstore entries of a domain under construction, granting the pages
    /// to the console and xenstore domains (what Xen's toolstack does in xc_dom_gnttab_seed).
    /// </summary>
    public int SeedReserved(Domain caller, int domid, int consoleDomid, uint consoleGfn, int storeDomid, uint storeGfn)
    {
        Domain? d = domains.Resolve(caller, domid);
        if (d == null || !d.IsAlive)
            return -Errno.ESRCH;
        int rc = policy.MaySeedGrants(caller, d);
        if (rc < 0)
            return rc;
        if (consoleDomid < 0 || consoleDomid >= DomId.FirstReserved || storeDomid < 0 || storeDomid >= DomId.FirstReserved)
            return -Errno.EINVAL;
        if (!d.Memory.HasFrame(consoleGfn) || !d.Memory.HasFrame(storeGfn))
            return -Errno.EINVAL;
        d.Grants.Seed(GrantFlags.GNTTAB_RESERVED_CONSOLE, GrantFlags.GTF_permit_access, consoleDomid, consoleGfn);
        d.Grants.Seed(GrantFlags.GNTTAB_RESERVED_XENSTORE, GrantFlags.GTF_permit_access, storeDomid, storeGfn);
        return 0;
    }
}
