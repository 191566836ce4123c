using Micro.Core.Domains;
using Micro.Core.EventChannels;
using Micro.Core.Memory;
using Micro.Core.Tests.Support;

namespace Micro.Core.Tests;

/// <summary>DESIGN §3's table, row by row, through the service entry points.</summary>
public class PolicyTests
{
    private readonly Machine m = new();

    private void AssertRefused(Domain caller, string operation, int rc)
    {
        Assert.Equal(-Errno.EPERM, rc);
        Assert.Contains(m.Log.Lines, l => l.Level == LogLevel.Refusal && l.Domid == caller.Id && l.Message == operation);
    }

    private int Create(Domain caller, DomainConfig config, out Domain? d) =>
        m.Core.Services.DomainCreate(caller, config, new ArrayGuestMemory(64 * 1024), new RecordingSubstrate(), out d);

    [Fact]
    public void The_toolstack_controls_domains_and_starts_hvmloader_and_device_models()
    {
        Domain ts = m.Service(ServiceRole.Toolstack);
        Assert.Equal(0, Create(ts, DomainConfig.Guest(1), out Domain? g));
        Assert.Equal(DomainState.Constructing, g!.State);
        Assert.Equal(0, Create(ts, DomainConfig.Service(ServiceRole.HvmLoader), out _));
        Assert.Equal(0, Create(ts, DomainConfig.Service(ServiceRole.DeviceModel, g.Id), out Domain? dm));
        Assert.Equal(g.Id, dm!.TargetId);
        Assert.Equal(-Errno.ESRCH, Create(ts, DomainConfig.Service(ServiceRole.DeviceModel, 60), out _));
        AssertRefused(ts, "domain_create", Create(ts, DomainConfig.Service(ServiceRole.XenStore), out _));
        AssertRefused(ts, "domain_create", Create(ts, DomainConfig.Service(ServiceRole.Toolstack), out _));

        Assert.Equal(0, m.Core.Services.DomainUnpause(ts, g.Id));
        Assert.Equal(DomainState.Running, g.State);
        Assert.Equal(-Errno.EINVAL, m.Core.Services.DomainUnpause(ts, g.Id));
        Assert.Equal(0, m.Core.Services.DomainPause(ts, g.Id));
        Assert.Equal(-Errno.EINVAL, m.Core.Services.DomainPause(ts, g.Id));
        Assert.Equal(0, m.Core.Services.DomainUnpause(ts, g.Id));
        Assert.Equal(0, m.Core.Services.SetHvmParam(ts, g.Id, HvmParam.STORE_PFN, 0x77));
        Assert.Equal(0, m.Core.Services.DomainShutdown(ts, g.Id, ShutdownReason.Reboot));
        Assert.Equal(-Errno.EINVAL, m.Core.Services.DomainShutdown(ts, dm.Id, 9));
        Assert.Equal(0, m.Core.Services.DomainDestroy(ts, g.Id));
        AssertRefused(ts, "domain_destroy", m.Core.Services.DomainDestroy(ts, ts.Id));
        Assert.Equal(-Errno.ESRCH, m.Core.Services.DomainDestroy(ts, g.Id));
    }

    [Fact]
    public void Xenstore_maps_only_store_pages_binds_only_store_ports_and_sees_deaths()
    {
        Domain g = m.Guest();
        Domain xs = m.Service(ServiceRole.XenStore);
        Domain ts = m.Service(ServiceRole.Toolstack);
        AssertRefused(xs, "map_foreign", m.Core.Services.MapForeign(xs, g.Id, 0)); // STORE_PFN not set yet
        Assert.Equal(0, m.Core.Services.SetHvmParam(ts, g.Id, HvmParam.STORE_PFN, 0x50));
        Assert.Equal(0, m.Core.Services.MapForeign(xs, g.Id, 0x50));
        AssertRefused(xs, "map_foreign", m.Core.Services.MapForeign(xs, g.Id, 0x51));

        Assert.Equal(0, m.Core.Services.EvtchnAllocUnbound(ts, g.Id, xs.Id, out int storePort));
        Assert.Equal(0, m.Core.Services.EvtchnAllocUnbound(ts, g.Id, xs.Id, out int otherPort));
        Assert.Equal(0, m.Core.Services.SetHvmParam(ts, g.Id, HvmParam.STORE_EVTCHN, (ulong)storePort));
        AssertRefused(xs, "evtchn_bind_interdomain", m.Core.Services.EvtchnBindInterdomain(xs, g.Id, otherPort, out _));
        Assert.Equal(0, m.Core.Services.EvtchnBindInterdomain(xs, g.Id, storePort, out _));
        Assert.Equal(0, m.Core.Services.GetHvmParam(xs, g.Id, HvmParam.STORE_PFN, out ulong pfn));
        Assert.Equal(0x50UL, pfn);
        AssertRefused(xs, "hvm_get_param", m.Core.Services.GetHvmParam(xs, g.Id, HvmParam.CONSOLE_PFN, out _));
        AssertRefused(xs, "hvm_set_param", m.Core.Services.SetHvmParam(xs, g.Id, HvmParam.STORE_PFN, 1));
        Assert.Equal(0, m.Core.Services.EvtchnBindVirq(xs, Virq.DOM_EXC, out _));
        Assert.Equal(0, m.Core.Services.DomainGetState(xs, g.Id, out _, out _));
        AssertRefused(xs, "domain_pause", m.Core.Services.DomainPause(xs, g.Id));
        AssertRefused(xs, "domain_create", Create(xs, DomainConfig.Guest(1), out _));
        AssertRefused(xs, "evtchn_alloc_unbound", m.Core.Services.EvtchnAllocUnbound(xs, g.Id, xs.Id, out _));
    }

    [Fact]
    public void Console_maps_only_console_pages_and_binds_only_console_ports()
    {
        Domain g = m.Guest();
        Domain console = m.Service(ServiceRole.Console);
        Domain ts = m.Service(ServiceRole.Toolstack);
        Assert.Equal(0, m.Core.Services.SetHvmParam(ts, g.Id, HvmParam.CONSOLE_PFN, 0x60));
        Assert.Equal(0, m.Core.Services.SetHvmParam(ts, g.Id, HvmParam.STORE_PFN, 0x61));
        Assert.Equal(0, m.Core.Services.MapForeign(console, g.Id, 0x60));
        AssertRefused(console, "map_foreign", m.Core.Services.MapForeign(console, g.Id, 0x61));
        Assert.Equal(0, m.Core.Services.EvtchnAllocUnbound(ts, g.Id, console.Id, out int port));
        AssertRefused(console, "evtchn_bind_interdomain", m.Core.Services.EvtchnBindInterdomain(console, g.Id, port, out _));
        Assert.Equal(0, m.Core.Services.SetHvmParam(ts, g.Id, HvmParam.CONSOLE_EVTCHN, (ulong)port));
        Assert.Equal(0, m.Core.Services.EvtchnBindInterdomain(console, g.Id, port, out _));
        AssertRefused(console, "evtchn_bind_virq", m.Core.Services.EvtchnBindVirq(console, Virq.DOM_EXC, out _));
        AssertRefused(console, "domain_getinfo", m.Core.Services.DomainGetState(console, g.Id, out _, out _));
    }

    [Fact]
    public void Hvmloader_writes_only_domains_under_construction()
    {
        Domain g = m.Guest();
        Domain loader = m.Service(ServiceRole.HvmLoader);
        Domain ts = m.Service(ServiceRole.Toolstack);
        Assert.Equal(0, m.Core.Services.MapForeign(loader, g.Id, 0x10));
        Assert.Equal(-Errno.EINVAL, m.Core.Services.MapForeign(loader, g.Id, 0xFFFFFFF)); // not its memory
        Assert.Equal(0, m.Core.Services.DomainUnpause(ts, g.Id));
        AssertRefused(loader, "map_foreign", m.Core.Services.MapForeign(loader, g.Id, 0x10));
        AssertRefused(loader, "map_foreign", m.Core.Services.MapForeign(loader, ts.Id, 0));
    }

    [Fact]
    public void A_device_model_serves_only_its_target()
    {
        Domain g = m.Guest(), other = m.Guest();
        Domain dm = m.Service(ServiceRole.DeviceModel, g.Id);
        Assert.Equal(0, m.Core.Services.MayServeDevice(dm, g.Id));
        AssertRefused(dm, "serve_device", m.Core.Services.MayServeDevice(dm, other.Id));
        Assert.Equal(0, m.Core.Services.MapForeign(dm, g.Id, 0x99));
        AssertRefused(dm, "map_foreign", m.Core.Services.MapForeign(dm, other.Id, 0x99));
        Assert.Equal(0, m.Core.Events.AllocUnbound(g, DomId.Self, dm.Id, out int port));
        Assert.Equal(0, m.Core.Services.EvtchnBindInterdomain(dm, g.Id, port, out _));
        Assert.Equal(0, m.Core.Events.AllocUnbound(other, DomId.Self, dm.Id, out int otherPort));
        AssertRefused(dm, "evtchn_bind_interdomain", m.Core.Services.EvtchnBindInterdomain(dm, other.Id, otherPort, out _));
        Assert.Equal(0, m.Core.Services.GetHvmParam(dm, g.Id, HvmParam.IOREQ_PFN, out _));
        AssertRefused(dm, "hvm_get_param", m.Core.Services.GetHvmParam(dm, other.Id, HvmParam.IOREQ_PFN, out _));
    }

    [Fact]
    public void A_guest_may_use_no_service_entry_point()
    {
        Domain g = m.Guest(), other = m.Guest();
        AssertRefused(g, "domain_create", Create(g, DomainConfig.Guest(1), out _));
        AssertRefused(g, "domain_pause", m.Core.Services.DomainPause(g, other.Id));
        AssertRefused(g, "domain_destroy", m.Core.Services.DomainDestroy(g, other.Id));
        AssertRefused(g, "domain_shutdown", m.Core.Services.DomainShutdown(g, other.Id, 0));
        AssertRefused(g, "map_foreign", m.Core.Services.MapForeign(g, other.Id, 0x10));
        AssertRefused(g, "serve_device", m.Core.Services.MayServeDevice(g, other.Id));
        AssertRefused(g, "grant_seed", m.Core.Services.GrantSeedReserved(g, other.Id, 0, 1, 0, 1));
        AssertRefused(g, "hvm_set_param", m.Core.Services.SetHvmParam(g, other.Id, HvmParam.STORE_PFN, 1));
        AssertRefused(g, "evtchn_status", m.Core.Services.EvtchnStatus(g, other.Id, 1, out _));
        Assert.Equal(DomainState.Constructing, other.State);
    }

    [Fact]
    public void Garbage_from_a_service_gets_errors_and_log_lines_and_the_core_keeps_serving()
    {
        Domain g1 = m.Guest(), g2 = m.Guest();
        Domain ts = m.Service(ServiceRole.Toolstack);
        int[] badDomids = { -1, -100, 64, 1000, DomId.Self + 1, DomId.Invalid, DomId.Idle, int.MaxValue, int.MinValue };
        foreach (int d in badDomids)
        {
            Assert.True(m.Core.Services.EvtchnAllocUnbound(ts, d, g1.Id, out _) < 0);
            Assert.True(m.Core.Services.EvtchnBindInterdomain(ts, d, 1, out _) < 0);
            Assert.True(m.Core.Services.EvtchnStatus(ts, d, 1, out _) < 0);
            Assert.True(m.Core.Services.GrantMap(ts, d, 1, false, out _, out _, out _) < 0);
            Assert.True(m.Core.Services.DomainPause(ts, d) < 0);
            Assert.True(m.Core.Services.DomainDestroy(ts, d) < 0);
            Assert.True(m.Core.Services.SetHvmParam(ts, d, 1, 1) < 0);
            Assert.True(m.Core.Services.MapForeign(ts, d, 1) < 0);
            Assert.True(m.Core.Services.GrantSeedReserved(ts, d, 0, 1, 0, 1) < 0);
        }
        int[] badNumbers = { -1, 4096, 1 << 20, int.MaxValue, int.MinValue };
        foreach (int n in badNumbers)
        {
            Assert.Equal(-Errno.EINVAL, m.Core.Services.EvtchnSend(ts, n));
            Assert.Equal(-Errno.EINVAL, m.Core.Services.EvtchnClose(ts, n));
            Assert.Equal(-Errno.EINVAL, m.Core.Services.EvtchnUnmask(ts, n));
            Assert.Equal(-Errno.EINVAL, m.Core.Services.EvtchnBindVirq(ts, n, out _));
            Assert.Equal(-Errno.EINVAL, m.Core.Services.EvtchnStatus(ts, g1.Id, n, out _));
            Assert.Equal(-Errno.EINVAL, m.Core.Services.EvtchnBindInterdomain(ts, g1.Id, n, out _));
            Assert.Equal(-Errno.EINVAL, m.Core.Services.GrantUnmap(ts, n));
            Assert.Equal(-Errno.EINVAL, m.Core.Services.SetHvmParam(ts, g1.Id, n, 0));
            Assert.Equal(-Errno.EINVAL, m.Core.Services.GetHvmParam(ts, g1.Id, n, out _));
        }
        Assert.True(m.Log.Count(LogLevel.Warning, ts.Id) >= badDomids.Length * 5);

        // Everyone else is still served.
        Assert.Equal(0, m.Core.Events.AllocUnbound(g1, DomId.Self, g2.Id, out int port));
        Assert.Equal(0, m.Core.Events.BindInterdomain(g2, g1.Id, port, out int port2));
        EventView.Acknowledge(g2, 0);
        Assert.Equal(0, m.Core.Events.Send(g1, port));
        Assert.Equal(new[] { port2 }, EventView.Acknowledge(g2, 0));
        Assert.Equal(0, m.Lock.Depth);
    }
}
