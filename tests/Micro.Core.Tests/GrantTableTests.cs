using Micro.Core.Domains;
using Micro.Core.GrantTables;
using Micro.Core.Tests.Support;

namespace Micro.Core.Tests;

public unsafe class GrantTableTests
{
    private const ulong GrantFrameGfn = 0x20;
    private const uint SharedGfn = 0x30;
    private readonly Machine m = new();

    /// <summary>The guest maps grant frame 0 into its memory and writes an entry there, as a frontend does.</summary>
    private void Grant(Domain granter, int gref, int grantee, uint gfn, ushort flags = GrantFlags.GTF_permit_access)
    {
        if (granter.Grants.FrameGfn(0) != GrantFrameGfn)
            Assert.Equal(0, m.Core.Grants.PlaceFrame(granter, 0, GrantFrameGfn));
        ulong entry = GrantTable.MakeEntry(flags, grantee, gfn);
        m.Memory(granter).WriteStruct(GrantFrameGfn * 4096 + (ulong)gref * 8, entry);
    }

    private ushort FlagsInGuest(Domain granter, int gref) =>
        (ushort)m.Memory(granter).ReadStruct<ulong>(GrantFrameGfn * 4096 + (ulong)gref * 8);

    [Fact]
    public void A_device_model_maps_its_guests_grant_and_unmapping_clears_the_use_flags()
    {
        Domain g = m.Guest();
        Domain dm = m.Service(ServiceRole.DeviceModel, g.Id);
        Grant(g, 10, dm.Id, SharedGfn);
        Assert.Equal(0, m.Core.Services.GrantMap(dm, g.Id, 10, readOnly: false, out int handle, out ulong gfn, out int status));
        Assert.Equal(GrantStatus.okay, status);
        Assert.Equal(SharedGfn, gfn);
        Assert.Equal(GrantFlags.GTF_permit_access | GrantFlags.GTF_reading | GrantFlags.GTF_writing, FlagsInGuest(g, 10));
        Assert.Equal(0, m.Core.Services.GrantUnmap(dm, handle));
        Assert.Equal(GrantFlags.GTF_permit_access, FlagsInGuest(g, 10));
        Assert.Equal(-Errno.EINVAL, m.Core.Services.GrantUnmap(dm, handle));
    }

    [Fact]
    public void Services_without_the_privilege_get_eperm_and_a_log_line()
    {
        Domain g = m.Guest(), other = m.Guest();
        Domain console = m.Service(ServiceRole.Console);
        Domain ts = m.Service(ServiceRole.Toolstack);
        Domain dmOther = m.Service(ServiceRole.DeviceModel, other.Id);
        foreach (Domain service in new[] { console, ts, dmOther })
        {
            Grant(g, 12, service.Id, SharedGfn);
            Assert.Equal(-Errno.EPERM, m.Core.Services.GrantMap(service, g.Id, 12, readOnly: true, out _, out _, out int status));
            Assert.Equal(GrantStatus.permission_denied, status);
            Assert.Contains(m.Log.Lines, l => l.Level == LogLevel.Refusal && l.Domid == service.Id && l.Message == "grant_map");
        }
        Assert.Equal(GrantFlags.GTF_permit_access, FlagsInGuest(g, 12));
    }

    [Fact]
    public void Invalid_revoked_and_foreign_refs_get_xens_errors()
    {
        Domain g = m.Guest();
        Domain dm = m.Service(ServiceRole.DeviceModel, g.Id);
        Grant(g, 5, dm.Id, SharedGfn);
        int outOfRange = g.Grants.EntryCount;
        Assert.Equal(-Errno.EINVAL, m.Core.Services.GrantMap(dm, g.Id, outOfRange, false, out _, out _, out int status));
        Assert.Equal(GrantStatus.bad_gntref, status);
        Assert.Equal(-Errno.EINVAL, m.Core.Services.GrantMap(dm, g.Id, -1, false, out _, out _, out status));
        Assert.Equal(GrantStatus.bad_gntref, status);
        Assert.Equal(-Errno.ESRCH, m.Core.Services.GrantMap(dm, 63, 5, false, out _, out _, out status));
        Assert.Equal(GrantStatus.bad_domain, status);

        // Revoked: the granter cleared the entry.
        Grant(g, 5, dm.Id, SharedGfn, GrantFlags.GTF_invalid);
        Assert.Equal(-Errno.EACCES, m.Core.Services.GrantMap(dm, g.Id, 5, false, out _, out _, out status));
        Assert.Equal(GrantStatus.general_error, status);
        // Granted to someone else.
        Grant(g, 6, dm.Id + 1, SharedGfn);
        Assert.Equal(GrantStatus.general_error, m.Core.Grants.Map(dm, g.Id, 6, false, false, 0, out _, out _));
        // A frame outside the granter's memory.
        Grant(g, 7, dm.Id, 0xFFFFFF);
        Assert.Equal(GrantStatus.general_error, m.Core.Grants.Map(dm, g.Id, 7, false, false, 0, out _, out _));
        Assert.Equal(GrantFlags.GTF_permit_access, FlagsInGuest(g, 7));
        Assert.Equal(0, dm.Grants.MappingCount);
    }

    [Fact]
    public void Read_only_grants_map_read_only_only()
    {
        Domain g = m.Guest();
        Domain dm = m.Service(ServiceRole.DeviceModel, g.Id);
        Grant(g, 3, dm.Id, SharedGfn, GrantFlags.GTF_permit_access | GrantFlags.GTF_readonly);
        Assert.Equal(GrantStatus.general_error, m.Core.Grants.Map(dm, g.Id, 3, readOnly: false, false, 0, out _, out _));
        Assert.Equal(GrantStatus.okay, m.Core.Grants.Map(dm, g.Id, 3, readOnly: true, false, 0, out int h, out _));
        Assert.Equal(GrantFlags.GTF_permit_access | GrantFlags.GTF_readonly | GrantFlags.GTF_reading, FlagsInGuest(g, 3));
        Assert.Equal(GrantStatus.okay, m.Core.Grants.Unmap(dm, h, 0));
    }

    [Fact]
    public void Pins_count_mappings_and_flags_clear_with_the_last()
    {
        Domain g = m.Guest();
        Domain dm = m.Service(ServiceRole.DeviceModel, g.Id);
        Grant(g, 9, dm.Id, SharedGfn);
        Assert.Equal(GrantStatus.okay, m.Core.Grants.Map(dm, g.Id, 9, readOnly: true, false, 0, out int r1, out _));
        Assert.Equal(GrantStatus.okay, m.Core.Grants.Map(dm, g.Id, 9, readOnly: false, false, 0, out int w1, out _));
        Assert.Equal(GrantStatus.okay, m.Core.Grants.Map(dm, g.Id, 9, readOnly: true, false, 0, out int r2, out _));
        Assert.Equal((2, 1), (g.Grants.ReadPins(9), g.Grants.WritePins(9)));
        Assert.Equal(GrantStatus.okay, m.Core.Grants.Unmap(dm, w1, 0));
        Assert.Equal(GrantFlags.GTF_permit_access | GrantFlags.GTF_reading, FlagsInGuest(g, 9));
        Assert.Equal(GrantStatus.okay, m.Core.Grants.Unmap(dm, r1, 0));
        Assert.Equal(GrantFlags.GTF_permit_access | GrantFlags.GTF_reading, FlagsInGuest(g, 9));
        Assert.Equal(GrantStatus.okay, m.Core.Grants.Unmap(dm, r2, 0));
        Assert.Equal(GrantFlags.GTF_permit_access, FlagsInGuest(g, 9));
        Assert.Equal(GrantStatus.bad_handle, m.Core.Grants.Unmap(dm, r2, 0));
        Assert.Equal(GrantStatus.bad_handle, m.Core.Grants.Unmap(dm, -1, 0));
        Assert.Equal(GrantStatus.bad_handle, m.Core.Grants.Unmap(dm, GrantTable.MapTrackCapacity, 0));
    }

    [Fact]
    public void A_dead_granter_cannot_be_mapped_and_old_mappings_unmap_cleanly()
    {
        Domain g = m.Guest();
        Domain dm = m.Service(ServiceRole.DeviceModel, g.Id);
        Domain ts = m.Service(ServiceRole.Toolstack);
        Grant(g, 4, dm.Id, SharedGfn);
        Assert.Equal(GrantStatus.okay, m.Core.Grants.Map(dm, g.Id, 4, false, false, 0, out int handle, out _));
        int gid = g.Id;
        Assert.Equal(0, m.Core.Services.DomainDestroy(ts, gid));
        Assert.Equal(GrantStatus.bad_domain, m.Core.Grants.Map(dm, gid, 4, false, false, 0, out _, out _));
        // A new domain reuses the id: the old handle must not touch its grant table.
        Domain reborn = m.Guest();
        Assert.Equal(gid, reborn.Id);
        Assert.Equal(GrantStatus.okay, m.Core.Grants.Unmap(dm, handle, 0));
        Assert.Equal(0, reborn.Grants.ReadPins(4) + reborn.Grants.WritePins(4));
        Assert.Equal(0, dm.Grants.MappingCount);
    }

    [Fact]
    public void Reserved_entries_seeded_by_the_toolstack_are_mapped_by_console_and_xenstore()
    {
        Domain g = m.Guest();
        Domain ts = m.Service(ServiceRole.Toolstack);
        Domain xs = m.Service(ServiceRole.XenStore);
        Domain console = m.Service(ServiceRole.Console);
        const uint consoleGfn = 0x40, storeGfn = 0x41;
        Assert.Equal(-Errno.EPERM, m.Core.Services.GrantSeedReserved(xs, g.Id, console.Id, consoleGfn, xs.Id, storeGfn));
        Assert.Equal(-Errno.EINVAL, m.Core.Services.GrantSeedReserved(ts, g.Id, console.Id, 0xFFFFFF, xs.Id, storeGfn));
        Assert.Equal(-Errno.EINVAL, m.Core.Services.GrantSeedReserved(ts, g.Id, DomId.Self, consoleGfn, xs.Id, storeGfn));
        Assert.Equal(-Errno.ESRCH, m.Core.Services.GrantSeedReserved(ts, 60, console.Id, consoleGfn, xs.Id, storeGfn));
        Assert.Equal(0, m.Core.Services.GrantSeedReserved(ts, g.Id, console.Id, consoleGfn, xs.Id, storeGfn));

        Assert.Equal(0, m.Core.Services.GrantMap(xs, g.Id, GrantFlags.GNTTAB_RESERVED_XENSTORE, false, out _, out ulong gfn, out _));
        Assert.Equal(storeGfn, gfn);
        Assert.Equal(0, m.Core.Services.GrantMap(console, g.Id, GrantFlags.GNTTAB_RESERVED_CONSOLE, false, out _, out gfn, out _));
        Assert.Equal(consoleGfn, gfn);
        Assert.Equal(-Errno.EPERM, m.Core.Services.GrantMap(xs, g.Id, GrantFlags.GNTTAB_RESERVED_CONSOLE, false, out _, out _, out _));
        Assert.Equal(-Errno.EPERM, m.Core.Services.GrantMap(console, g.Id, GrantFlags.GNTTAB_RESERVED_XENSTORE, false, out _, out _, out _));

        // The seeded entries survive the guest mapping its grant frame, and seeding ends at start.
        Assert.Equal(0, m.Core.Grants.PlaceFrame(g, 0, GrantFrameGfn));
        Assert.Equal(storeGfn, GrantTable.FrameOf(m.Memory(g).ReadStruct<ulong>(GrantFrameGfn * 4096 + 8)));
        Assert.Equal(0, m.Core.Services.DomainUnpause(ts, g.Id));
        Assert.Equal(-Errno.EPERM, m.Core.Services.GrantSeedReserved(ts, g.Id, console.Id, consoleGfn, xs.Id, storeGfn));
    }

    [Fact]
    public void The_maptrack_runs_out_with_no_device_space()
    {
        Domain g = m.Guest();
        Domain dm = m.Service(ServiceRole.DeviceModel, g.Id);
        Grant(g, 2, dm.Id, SharedGfn);
        for (int i = 0; i < GrantTable.MapTrackCapacity; i++)
            Assert.Equal(GrantStatus.okay, m.Core.Grants.Map(dm, g.Id, 2, true, false, 0, out _, out _));
        Assert.Equal(GrantStatus.no_device_space, m.Core.Grants.Map(dm, g.Id, 2, true, false, 0, out _, out _));
    }

    [Fact]
    public void Grant_frames_grow_up_to_the_maximum()
    {
        Domain g = m.Guest();
        Assert.Equal(1, g.Grants.FrameCount);
        Assert.Equal(0, m.Core.Grants.PlaceFrame(g, 3, 0x50));
        Assert.Equal(4, g.Grants.FrameCount);
        Assert.Equal(4 * GrantTable.EntriesPerFrame, g.Grants.EntryCount);
        Assert.Equal(-Errno.EINVAL, m.Core.Grants.PlaceFrame(g, 4, 0x51));
        Assert.Equal(-Errno.EINVAL, m.Core.Grants.PlaceFrame(g, -1, 0x51));
        Assert.Equal(-Errno.EINVAL, m.Core.Grants.PlaceFrame(g, 1, 0xFFFFFFF));
    }
}
