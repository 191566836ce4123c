using Micro.Core.Domains;
using Micro.Core.Hypercalls;
using Micro.Core.Memory;
using Micro.Core.Tests.Support;

namespace Micro.Core.Tests;

public class LifecycleTests
{
    private readonly Machine m = new(maxDomains: 8);

    [Fact]
    public void A_destroyed_domain_can_no_longer_act_even_when_its_id_is_reused()
    {
        Domain ts = m.Service(ServiceRole.Toolstack);
        Domain g = m.Guest();
        Domain dm = m.Service(ServiceRole.DeviceModel, g.Id);
        RecordingSubstrate dmSubstrate = m.Substrate(dm);
        Assert.Equal(0, m.Core.Services.DomainDestroy(ts, dm.Id));
        Assert.Equal(DomainState.Dying, dmSubstrate.States[^1]);
        Assert.False(dm.IsAlive);
        Assert.Equal(-Errno.ESRCH, m.Core.Services.GrantMap(dm, g.Id, 0, true, out _, out _, out _));
        Assert.Equal(-Errno.ESRCH, m.Core.Services.EvtchnAllocUnbound(dm, DomId.Self, g.Id, out _));
        Domain again = m.Service(ServiceRole.DeviceModel, g.Id);
        Assert.Equal(dm.Id, again.Id);
        Assert.Equal(-Errno.ESRCH, m.Core.Services.MayServeDevice(dm, g.Id));
        Assert.Equal(0, m.Core.Services.MayServeDevice(again, g.Id));

        m.Core.DestroyDomain(g);
        Assert.Equal(-Errno.ESRCH, m.Call(g, HypercallNumber.xen_version));
    }

    [Fact]
    public void Domain_creation_checks_its_configuration_and_limits()
    {
        var memory = new NoGuestMemory();
        var substrate = new RecordingSubstrate();
        DomainConfig bad = DomainConfig.Guest(0);
        Assert.Equal(-Errno.EINVAL, m.Core.CreateBootDomain(bad, memory, substrate, out _));
        bad = DomainConfig.Guest(Domain.MaxVcpus + 1);
        Assert.Equal(-Errno.EINVAL, m.Core.CreateBootDomain(bad, memory, substrate, out _));
        bad = DomainConfig.Guest(1);
        bad.Role = ServiceRole.XenStore;
        Assert.Equal(-Errno.EINVAL, m.Core.CreateBootDomain(bad, memory, substrate, out _));
        bad = DomainConfig.Service(ServiceRole.None);
        Assert.Equal(-Errno.EINVAL, m.Core.CreateBootDomain(bad, memory, substrate, out _));
        bad = DomainConfig.Guest(1);
        bad.MaxPorts = 4097;
        Assert.Equal(-Errno.EINVAL, m.Core.CreateBootDomain(bad, memory, substrate, out _));
        bad = DomainConfig.Guest(1);
        bad.TargetId = 1;
        Assert.Equal(-Errno.EINVAL, m.Core.CreateBootDomain(bad, memory, substrate, out _));
        bad = DomainConfig.Guest(1);
        bad.RequestedId = DomId.Self;
        Assert.Equal(-Errno.EINVAL, m.Core.CreateBootDomain(bad, memory, substrate, out _));

        DomainConfig zero = DomainConfig.Service(ServiceRole.Toolstack);
        zero.RequestedId = 0;
        Assert.Equal(0, m.Core.CreateBootDomain(zero, memory, substrate, out Domain? d0));
        Assert.Equal(0, d0!.Id);
        Assert.Equal(-Errno.EEXIST, m.Core.CreateBootDomain(zero, memory, substrate, out _));
        for (int i = 1; i < 8; i++)
            Assert.Equal(0, m.Core.CreateBootDomain(DomainConfig.Guest(1), memory, substrate, out _));
        Assert.Equal(-Errno.ENOSPC, m.Core.CreateBootDomain(DomainConfig.Guest(1), memory, substrate, out _));
    }

    [Fact]
    public void Running_out_of_pages_fails_cleanly_with_enomem()
    {
        m.Pages.FailAfter = 1; // shared_info fits, the first grant frame does not
        Assert.Equal(-Errno.ENOMEM, m.Core.CreateBootDomain(DomainConfig.Guest(1), new NoGuestMemory(), new RecordingSubstrate(), out Domain? d));
        Assert.Null(d);
        Assert.Equal(0, m.Pages.Live);
        Assert.Equal(0, m.Core.Domains.Count);
        m.Pages.FailAfter = null;
        Domain g = m.Guest();
        m.Pages.FailAfter = 0;
        Assert.Equal(-Errno.ENOMEM, m.Core.Grants.PlaceFrame(g, 2, 0x30));
        m.Pages.FailAfter = null;
    }

    [Fact]
    public void Destroy_frees_every_core_page()
    {
        Domain ts = m.Service(ServiceRole.Toolstack);
        int before = m.Pages.Live;
        Domain g = m.Guest();
        Assert.Equal(0, m.Core.Grants.PlaceFrame(g, 3, 0x40));
        Assert.Equal(before + 5, m.Pages.Live);
        Assert.Equal(0, m.Core.Services.DomainDestroy(ts, g.Id));
        Assert.Equal(before, m.Pages.Live);
    }

    [Fact]
    public void Concurrent_vcpus_and_services_enter_the_core_one_at_a_time()
    {
        Domain g1 = m.Guest(vcpus: 2), g2 = m.Guest(vcpus: 2);
        Domain console = m.Service(ServiceRole.Console);
        Assert.Equal(0, m.Core.Events.AllocUnbound(g1, DomId.Self, g2.Id, out int p1));
        Assert.Equal(0, m.Core.Events.BindInterdomain(g2, g1.Id, p1, out int p2));
        Assert.Equal(0, m.Core.Events.AllocUnbound(g1, DomId.Self, console.Id, out int pc1));
        Assert.Equal(0, m.Core.DomainOps.SetHvmParam(g1, DomId.Self, HvmParam.CONSOLE_EVTCHN, (ulong)pc1));
        Assert.Equal(0, m.Core.Services.EvtchnBindInterdomain(console, g1.Id, pc1, out int pc));

        const int rounds = 2000;
        int received = 0;
        void Sender(Domain d, int port, ulong arg)
        {
            m.Memory(d).WriteStruct(arg, new EvtchnPort { port = (uint)port });
            for (int i = 0; i < rounds; i++)
                Assert.Equal(0, m.Core.Hypercalls.Dispatch(d, 1, HypercallNumber.event_channel_op, EventChannelAbi.EVTCHNOP_send, arg, 0, 0, 0));
        }
        void Receiver(Domain d)
        {
            for (int i = 0; i < rounds; i++)
                Interlocked.Add(ref received, EventView.Acknowledge(d, 0).Count);
        }
        var threads = new[]
        {
            new Thread(() => Sender(g1, p1, 0x1000)),
            new Thread(() => Sender(g2, p2, 0x1000)),
            new Thread(() => { for (int i = 0; i < rounds; i++) Assert.Equal(0, m.Core.Services.EvtchnSend(console, pc)); }),
            new Thread(() => Receiver(g1)),
            new Thread(() => Receiver(g2)),
        };
        foreach (Thread t in threads)
            t.Start();
        foreach (Thread t in threads)
            Assert.True(t.Join(TimeSpan.FromMinutes(1)));

        // Whatever the interleaving, every port that is still pending is announced through its selector.
        foreach (Domain d in new[] { g1, g2 })
        {
            received += EventView.Acknowledge(d, 0).Count;
            Assert.False(EventView.Pending(d, d == g1 ? p1 : p2));
        }
        Assert.InRange(received, 2, 3 * rounds);
        Assert.Equal(0, m.Lock.Depth);
    }
}
