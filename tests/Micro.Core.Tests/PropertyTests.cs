using Micro.Core.Domains;
using Micro.Core.EventChannels;
using Micro.Core.GrantTables;
using Micro.Core.Tests.Support;

namespace Micro.Core.Tests;

/// <summary>
/// Seeded random operations, sensible and garbage, from guests and services: the tables never break
/// their invariants, no page leaks, and the core never throws.
/// </summary>
public unsafe class PropertyTests
{
    private const ulong GrantFrameGfn = 0x20;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Random_operations_keep_the_tables_consistent(int seed)
    {
        var m = new Machine(maxDomains: 12);
        var random = new Random(seed);
        Domain ts = m.Service(ServiceRole.Toolstack);
        m.Service(ServiceRole.XenStore);
        var guests = new List<Domain> { m.Guest(), m.Guest(), m.Guest() };
        m.Service(ServiceRole.DeviceModel, guests[0].Id);

        int binds = 0, maps = 0, sends = 0;
        for (int step = 0; step < 3000; step++)
        {
            Domain[] all = Live(m);
            Domain caller = all[random.Next(all.Length)];
            int port = random.Next(4) == 0 ? random.Next(-2, 5000) : random.Next(1, 12);
            int domid = random.Next(5) == 0 ? random.Next(-3, 0x8000) : all[random.Next(all.Length)].Id;
            int gref = random.Next(4) == 0 ? random.Next(-2, 5000) : random.Next(0, 16);
            switch (random.Next(18))
            {
                case 0:
                    m.Core.Services.EvtchnAllocUnbound(caller, random.Next(2) == 0 ? DomId.Self : domid, domid, out _);
                    break;
                case 1:
                case 16:
                    if (random.Next(2) == 0)
                        (domid, port) = UnboundPortFor(all, caller, random);
                    if (m.Core.Services.EvtchnBindInterdomain(caller, domid, port, out _) == 0)
                        binds++;
                    break;
                case 2:
                    m.Core.Events.BindIpi(caller, random.Next(-1, 3), out _);
                    break;
                case 3:
                    m.Core.Events.BindVirq(caller, random.Next(-1, 26), random.Next(-1, 3), out _);
                    break;
                case 4:
                    m.Core.Services.EvtchnClose(caller, port);
                    break;
                case 5:
                case 6:
                    if (m.Core.Services.EvtchnSend(caller, port) == 0)
                        sends++;
                    break;
                case 7:
                    if (port >= 0 && port < caller.EventChannels.Capacity && random.Next(2) == 0)
                        EventView.Mask(caller, port);
                    else
                        m.Core.Services.EvtchnUnmask(caller, port);
                    break;
                case 8:
                    EventView.Acknowledge(caller, random.Next(caller.VcpuCount));
                    break;
                case 9:
                case 15:
                    if (caller.IsGuest && gref >= 0 && gref < 16 && caller.Grants.ReadPins(gref) + caller.Grants.WritePins(gref) == 0)
                    {
                        ushort flags = random.Next(4) == 0 ? (ushort)random.Next(0, 8) : (ushort)(GrantFlags.GTF_permit_access | (random.Next(2) * GrantFlags.GTF_readonly));
                        WriteGrant(m, caller, gref, flags, domid, (uint)random.Next(0, 0x110));
                    }
                    break;
                case 10:
                case 13:
                case 14:
                    if (random.Next(2) == 0)
                        (domid, gref) = GrantFor(all, caller, random);
                    if (m.Core.Grants.Map(caller, domid, gref, random.Next(2) == 0, false, 0, out _, out _) == GrantStatus.okay)
                        maps++;
                    break;
                case 11:
                    m.Core.Grants.Unmap(caller, random.Next(-1, 8), 0);
                    break;
                case 12:
                    if (random.Next(10) == 0 && guests.Count > 1)
                    {
                        Domain victim = guests[random.Next(guests.Count)];
                        Assert.Equal(0, m.Core.Services.DomainDestroy(ts, victim.Id));
                        guests.Remove(victim);
                        m.Substrates.Remove(victim.Id);
                        m.Memories.Remove(victim.Id);
                    }
                    else if (guests.Count < 6)
                    {
                        guests.Add(m.Guest());
                    }
                    break;
                default:
                    m.Call(caller.IsGuest ? caller : guests[0], (ulong)random.Next(0, 40), (ulong)random.Next(0, 12),
                        (ulong)random.NextInt64(0, Machine.GuestMemorySize + 100), (ulong)random.Next(0, 4));
                    break;
            }
            if (step % 50 == 0)
                CheckInvariants(m);
        }
        CheckInvariants(m);
        Assert.Equal(0, m.Lock.Depth);
        // The walk reached the interesting states, not only the error paths.
        Assert.True(binds > 10 && maps > 10 && sends > 50, $"binds {binds}, maps {maps}, sends {sends}");
    }

    private static Domain[] Live(Machine m)
    {
        var live = new List<Domain>();
        for (int id = 0; id < m.Core.Domains.Capacity; id++)
        {
            if (m.Core.Domains.Lookup(id) is Domain d)
                live.Add(d);
        }
        return live.ToArray();
    }

    /// <summary>A port some domain allocated for <paramref name="caller"/> to bind, if there is one.</summary>
    private static (int Domid, int Port) UnboundPortFor(Domain[] all, Domain caller, Random random)
    {
        Domain d = all[random.Next(all.Length)];
        for (int port = 1; port < 64; port++)
        {
            EventChannel ch = d.EventChannels[port];
            if (ch.State == EventChannelState.Unbound && ch.RemoteDomain == caller.Id)
                return (d.Id, port);
        }
        return (d.Id, 1);
    }

    /// <summary>A grant some guest made to <paramref name="caller"/>, if there is one.</summary>
    private static (int Domid, int Ref) GrantFor(Domain[] all, Domain caller, Random random)
    {
        Domain d = all[random.Next(all.Length)];
        for (int gref = 0; gref < 16 && d.IsGuest; gref++)
        {
            if (GrantTable.DomidOf(*d.Grants.Entry(gref)) == caller.Id)
                return (d.Id, gref);
        }
        return (d.Id, 0);
    }

    private static void WriteGrant(Machine m, Domain granter, int gref, ushort flags, int grantee, uint frame)
    {
        if (granter.Grants.FrameGfn(0) != GrantFrameGfn)
            Assert.Equal(0, m.Core.Grants.PlaceFrame(granter, 0, GrantFrameGfn));
        *granter.Grants.Entry(gref) = GrantTable.MakeEntry(flags, grantee, frame);
    }

    private static void CheckInvariants(Machine m)
    {
        Domain[] live = Live(m);
        int pages = 0;
        var pins = new Dictionary<(int Granter, int Ref), (int Read, int Write)>();
        foreach (Domain d in live)
        {
            pages += 1 + d.Grants.FrameCount;
            EventChannelTable table = d.EventChannels;
            Assert.Equal(EventChannelState.Reserved, table[0].State);
            for (int port = 1; port < table.Capacity; port++)
            {
                EventChannel ch = table[port];
                switch (ch.State)
                {
                    case EventChannelState.Interdomain:
                        Domain? peer = m.Core.Domains.Lookup(ch.RemoteDomain);
                        Assert.NotNull(peer);
                        EventChannel back = peer!.EventChannels[ch.RemotePort];
                        Assert.Equal(EventChannelState.Interdomain, back.State);
                        Assert.Equal((d.Id, port), (back.RemoteDomain, back.RemotePort));
                        break;
                    case EventChannelState.Unbound:
                        Assert.InRange(ch.RemoteDomain, 0, DomId.FirstReserved - 1);
                        break;
                    case EventChannelState.Virq:
                        Assert.Equal(port, table.VirqPort(ch.Virq, ch.NotifyVcpu));
                        break;
                    case EventChannelState.Free:
                        Assert.False(EventView.Pending(d, port));
                        break;
                }
                Assert.True(d.IsValidVcpu(ch.NotifyVcpu));
                // 2-level: a pending, unmasked port is always visible through selector and upcall_pending.
                if (EventView.Pending(d, port) && !TwoLevelEvents.IsMasked(d, port))
                {
                    Assert.NotEqual(0UL, EventView.Selector(d, ch.NotifyVcpu) & (1UL << (port >> 6)));
                    Assert.Equal(1, EventView.UpcallPending(d, ch.NotifyVcpu));
                }
            }
            for (int virq = 0; virq < Virq.NR_VIRQS; virq++)
            {
                for (int vcpu = 0; vcpu < d.VcpuCount; vcpu++)
                {
                    int port = table.VirqPort(virq, vcpu);
                    if (port != 0)
                        Assert.Equal((EventChannelState.Virq, virq), (table[port].State, table[port].Virq));
                }
            }
            for (int handle = 0; handle < GrantTable.MapTrackCapacity; handle++)
            {
                if (!d.Grants.IsValidHandle(handle))
                    continue;
                MapTrackEntry e = d.Grants.Mapping(handle);
                Domain? granter = m.Core.Domains.Lookup(e.Granter);
                if (granter == null || granter.Generation != e.GranterGeneration)
                    continue;
                pins.TryGetValue((e.Granter, e.Ref), out var count);
                pins[(e.Granter, e.Ref)] = e.ReadOnly ? (count.Read + 1, count.Write) : (count.Read, count.Write + 1);
            }
        }
        foreach (Domain d in live)
        {
            for (int gref = 0; gref < d.Grants.EntryCount; gref++)
            {
                pins.TryGetValue((d.Id, gref), out var expected);
                Assert.Equal(expected, (d.Grants.ReadPins(gref), d.Grants.WritePins(gref)));
                ushort flags = GrantTable.FlagsOf(*d.Grants.Entry(gref));
                if (expected.Read + expected.Write > 0)
                    Assert.NotEqual(0, flags & GrantFlags.GTF_reading);
                if (expected.Write > 0)
                    Assert.NotEqual(0, flags & GrantFlags.GTF_writing);
            }
        }
        Assert.Equal(pages, m.Pages.Live);
    }
}
