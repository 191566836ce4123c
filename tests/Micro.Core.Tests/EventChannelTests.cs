using Micro.Core.Domains;
using Micro.Core.EventChannels;
using Micro.Core.Tests.Support;

namespace Micro.Core.Tests;

public class EventChannelTests
{
    private readonly Machine m = new();

    /// <summary>Connects a port of <paramref name="a"/> to a port of <paramref name="b"/> the way Xen's peers do.</summary>
    private (int PortA, int PortB) Connect(Domain a, Domain b)
    {
        EventChannelOps ev = m.Core.Events;
        Assert.Equal(0, ev.AllocUnbound(a, DomId.Self, b.Id, out int portA));
        Assert.Equal(0, ev.BindInterdomain(b, a.Id, portA, out int portB));
        // The bind raises the binder's port once (Xen does, for notifications lost while unbound).
        Assert.Contains(portB, EventView.Acknowledge(b, 0));
        return (portA, portB);
    }

    [Fact]
    public void Two_guests_and_a_service_notify_each_other_in_every_direction()
    {
        Domain g1 = m.Guest(), g2 = m.Guest();
        Domain xs = m.Service(ServiceRole.XenStore);
        // The toolstack's job, done here by the core: the services' ports in the guests.
        var pairs = new List<(Domain From, int FromPort, Domain To, int ToPort)>();
        (int p12, int p21) = Connect(g1, g2);
        pairs.Add((g1, p12, g2, p21));
        pairs.Add((g2, p21, g1, p12));
        foreach (Domain guest in new[] { g1, g2 })
        {
            Assert.Equal(0, m.Core.Events.AllocUnbound(guest, DomId.Self, xs.Id, out int guestPort));
            Assert.Equal(0, m.Core.DomainOps.SetHvmParam(guest, DomId.Self, HvmParam.STORE_EVTCHN, (ulong)guestPort));
            Assert.Equal(0, m.Core.Services.EvtchnBindInterdomain(xs, guest.Id, guestPort, out int servicePort));
            EventView.Acknowledge(xs, 0);
            pairs.Add((guest, guestPort, xs, servicePort));
            pairs.Add((xs, servicePort, guest, guestPort));
        }

        foreach ((Domain from, int fromPort, Domain to, int toPort) in pairs)
        {
            int upcallsBefore = m.Substrate(to).UpcallsOn(0);
            int rc = from.IsGuest ? m.Core.Events.Send(from, fromPort) : m.Core.Services.EvtchnSend(from, fromPort);
            Assert.Equal(0, rc);
            Assert.Equal(upcallsBefore + 1, m.Substrate(to).UpcallsOn(0));
            Assert.Equal(new[] { toPort }, EventView.Acknowledge(to, 0));
        }
    }

    [Fact]
    public void Alloc_unbound_and_bind_check_their_arguments()
    {
        Domain g1 = m.Guest(), g2 = m.Guest(), g3 = m.Guest();
        EventChannelOps ev = m.Core.Events;
        Assert.Equal(-Errno.ESRCH, ev.AllocUnbound(g1, 999, g2.Id, out _));
        Assert.Equal(-Errno.ESRCH, ev.AllocUnbound(g1, DomId.Self, DomId.Invalid, out _));
        Assert.Equal(-Errno.EPERM, ev.AllocUnbound(g1, g2.Id, g1.Id, out _));
        Assert.Equal(0, ev.AllocUnbound(g1, DomId.Self, g2.Id, out int port));
        Assert.Equal(1, port);

        Assert.Equal(-Errno.ESRCH, ev.BindInterdomain(g2, 999, port, out _));
        Assert.Equal(-Errno.EINVAL, ev.BindInterdomain(g2, g1.Id, -1, out _));
        Assert.Equal(-Errno.EINVAL, ev.BindInterdomain(g2, g1.Id, 1 << 20, out _));
        Assert.Equal(-Errno.EINVAL, ev.BindInterdomain(g2, g1.Id, port + 1, out _)); // free port
        Assert.Equal(-Errno.EINVAL, ev.BindInterdomain(g3, g1.Id, port, out _)); // not for g3
        Assert.Equal(0, ev.BindInterdomain(g2, g1.Id, port, out int port2));
        Assert.Equal(-Errno.EINVAL, ev.BindInterdomain(g2, g1.Id, port, out _)); // already bound
        Assert.Equal(0, ev.Status(g1, DomId.Self, port, out EventChannelStatus s));
        Assert.Equal(EventChannelStatus.EVTCHNSTAT_interdomain, s.Status);
        Assert.Equal(g2.Id, s.RemoteDomain);
        Assert.Equal(port2, s.RemotePort);
    }

    [Fact]
    public void Close_turns_the_peer_back_into_an_unbound_port_that_can_be_rebound()
    {
        Domain g1 = m.Guest(), g2 = m.Guest();
        (int p1, int p2) = Connect(g1, g2);
        Assert.Equal(0, m.Core.Events.Close(g2, p2));
        Assert.Equal(0, m.Core.Events.Status(g1, DomId.Self, p1, out EventChannelStatus s));
        Assert.Equal(EventChannelStatus.EVTCHNSTAT_unbound, s.Status);
        Assert.Equal(g2.Id, s.RemoteDomain);
        Assert.Equal(0, m.Core.Events.Send(g1, p1)); // dropped silently, as Xen does
        Assert.Equal(-Errno.EINVAL, m.Core.Events.Send(g2, p2));
        Assert.Equal(-Errno.EINVAL, m.Core.Events.Close(g2, p2));
        Assert.Equal(-Errno.EINVAL, m.Core.Events.Close(g2, 0)); // reserved
        Assert.Equal(-Errno.EINVAL, m.Core.Events.Close(g2, -5));
        Assert.Equal(0, m.Core.Events.BindInterdomain(g2, g1.Id, p1, out int again));
        Assert.Equal(p2, again);
    }

    [Fact]
    public void Virq_binding_follows_xen_rules()
    {
        Domain g = m.Guest(vcpus: 2);
        Domain xs = m.Service(ServiceRole.XenStore);
        EventChannelOps ev = m.Core.Events;
        Assert.Equal(-Errno.EINVAL, ev.BindVirq(g, Virq.NR_VIRQS, 0, out _));
        Assert.Equal(-Errno.EINVAL, ev.BindVirq(g, -1, 0, out _));
        Assert.Equal(-Errno.EINVAL, ev.BindVirq(g, Virq.CONSOLE, 1, out _)); // global virq on vCPU 1
        Assert.Equal(-Errno.ENOENT, ev.BindVirq(g, Virq.TIMER, 2, out _));
        Assert.Equal(0, ev.BindVirq(g, Virq.TIMER, 1, out int timer));
        Assert.Equal(-Errno.EEXIST, ev.BindVirq(g, Virq.TIMER, 1, out _));
        Assert.Equal(0, ev.BindVirq(g, Virq.TIMER, 0, out _));
        Assert.Equal(-Errno.EPERM, ev.BindVirq(g, Virq.DOM_EXC, 0, out _));
        Assert.Equal(0, ev.BindVirq(xs, Virq.DOM_EXC, 0, out _));

        m.Core.SendVirq(g, Virq.TIMER, 1);
        Assert.Equal(1, m.Substrate(g).UpcallsOn(1));
        Assert.Equal(new[] { timer }, EventView.Acknowledge(g, 1));
        Assert.Equal(0, ev.Status(g, DomId.Self, timer, out EventChannelStatus s));
        Assert.Equal(EventChannelStatus.EVTCHNSTAT_virq, s.Status);
        Assert.Equal(Virq.TIMER, s.Virq);
        Assert.Equal(1u, s.Vcpu);
        Assert.Equal(-Errno.EINVAL, ev.Send(g, timer)); // virqs are not sent by guests
        Assert.Equal(0, ev.Close(g, timer));
        Assert.Equal(0, ev.BindVirq(g, Virq.TIMER, 1, out _));
    }

    [Fact]
    public void Ipi_notifies_the_bound_vcpu_of_the_same_domain()
    {
        Domain g = m.Guest(vcpus: 3);
        Assert.Equal(-Errno.ENOENT, m.Core.Events.BindIpi(g, 3, out _));
        Assert.Equal(-Errno.ENOENT, m.Core.Events.BindIpi(g, -1, out _));
        Assert.Equal(0, m.Core.Events.BindIpi(g, 2, out int port));
        Assert.Equal(0, m.Core.Events.Send(g, port));
        Assert.Equal(new[] { 2 }, m.Substrate(g).Upcalls);
        Assert.Equal(new[] { port }, EventView.Acknowledge(g, 2));
        Assert.Equal(-Errno.EINVAL, m.Core.Events.BindVcpu(g, port, 0)); // IPIs stay on their vCPU
    }

    [Fact]
    public void Bind_vcpu_moves_an_interdomain_port()
    {
        Domain g1 = m.Guest(vcpus: 2), g2 = m.Guest(vcpus: 2);
        (int p1, int p2) = Connect(g1, g2);
        Assert.Equal(-Errno.ENOENT, m.Core.Events.BindVcpu(g2, p2, 2));
        Assert.Equal(-Errno.EINVAL, m.Core.Events.BindVcpu(g2, 4096, 1));
        Assert.Equal(0, m.Core.Events.BindVcpu(g2, p2, 1));
        Assert.Equal(0, m.Core.Events.Send(g1, p1));
        Assert.Equal(1, m.Substrate(g2).UpcallsOn(1));
        Assert.Equal(new[] { p2 }, EventView.Acknowledge(g2, 1));
    }

    [Fact]
    public void Status_checks_domain_port_and_privilege()
    {
        Domain g1 = m.Guest(), g2 = m.Guest();
        Domain ts = m.Service(ServiceRole.Toolstack);
        Assert.Equal(0, m.Core.Events.AllocUnbound(g1, DomId.Self, g2.Id, out int port));
        Assert.Equal(-Errno.EPERM, m.Core.Events.Status(g2, g1.Id, port, out _));
        Assert.Equal(-Errno.ESRCH, m.Core.Events.Status(ts, 77, port, out _));
        Assert.Equal(-Errno.EINVAL, m.Core.Events.Status(ts, g1.Id, 1 << 16, out _));
        Assert.Equal(0, m.Core.Events.Status(ts, g1.Id, port, out EventChannelStatus s));
        Assert.Equal(EventChannelStatus.EVTCHNSTAT_unbound, s.Status);
        Assert.Equal(g2.Id, s.RemoteDomain);
        Assert.Equal(0, m.Core.Events.Status(ts, g1.Id, 0, out s));
        Assert.Equal(EventChannelStatus.EVTCHNSTAT_closed, s.Status);
    }

    [Fact]
    public void Ports_run_out_with_enospc()
    {
        Domain g = m.Guest();
        int capacity = g.EventChannels.Capacity;
        for (int i = 1; i < capacity; i++)
            Assert.Equal(0, m.Core.Events.BindIpi(g, 0, out _));
        Assert.Equal(-Errno.ENOSPC, m.Core.Events.BindIpi(g, 0, out _));
        Assert.Equal(capacity - 1, g.EventChannels.CountInUse());
    }

    [Fact]
    public void Destroying_a_domain_unbinds_its_peers_and_tells_xenstore()
    {
        Domain g1 = m.Guest(), g2 = m.Guest();
        Domain xs = m.Service(ServiceRole.XenStore);
        Domain ts = m.Service(ServiceRole.Toolstack);
        Assert.Equal(0, m.Core.Services.EvtchnBindVirq(xs, Virq.DOM_EXC, out int domExc));
        (int p1, _) = Connect(g1, g2);
        Assert.Equal(0, m.Core.Services.DomainDestroy(ts, g2.Id));
        Assert.Null(m.Core.Domains.Lookup(g2.Id));
        Assert.Equal(0, m.Core.Events.Status(g1, DomId.Self, p1, out EventChannelStatus s));
        Assert.Equal(EventChannelStatus.EVTCHNSTAT_unbound, s.Status);
        Assert.Contains(domExc, EventView.Acknowledge(xs, 0));
        Assert.Equal(-Errno.ESRCH, m.Core.Services.DomainGetState(xs, g2.Id, out _, out _));
        Assert.Equal(0, m.Core.Events.Send(g1, p1));
    }
}
