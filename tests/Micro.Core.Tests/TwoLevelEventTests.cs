using Micro.Core.Domains;
using Micro.Core.EventChannels;
using Micro.Core.Tests.Support;

namespace Micro.Core.Tests;

/// <summary>Xen's 2-level semantics: pending, mask, selector and upcall_pending in shared_info/vcpu_info.</summary>
public unsafe class TwoLevelEventTests
{
    private readonly Machine m = new();

    private (Domain Sender, int SendPort, Domain Receiver, int Port) Pair()
    {
        Domain a = m.Guest(), b = m.Guest();
        Assert.Equal(0, m.Core.Events.AllocUnbound(b, DomId.Self, a.Id, out int port));
        Assert.Equal(0, m.Core.Events.BindInterdomain(a, b.Id, port, out int sendPort));
        EventView.Acknowledge(a, 0);
        m.Substrate(a).Upcalls.Clear();
        return (a, sendPort, b, port);
    }

    [Fact]
    public void Send_sets_pending_selector_and_upcall_pending_once()
    {
        (Domain a, int sendPort, Domain b, int port) = Pair();
        Assert.Equal(0, m.Core.Events.Send(a, sendPort));
        Assert.True(EventView.Pending(b, port));
        Assert.Equal(1UL << (port >> 6), EventView.Selector(b, 0));
        Assert.Equal(1, EventView.UpcallPending(b, 0));
        Assert.Single(m.Substrate(b).Upcalls);

        // Still pending: a second send changes nothing and raises no second upcall.
        Assert.Equal(0, m.Core.Events.Send(a, sendPort));
        Assert.Single(m.Substrate(b).Upcalls);
        Assert.Equal(new[] { port }, EventView.Acknowledge(b, 0));
        Assert.Equal(0, EventView.UpcallPending(b, 0));
        Assert.Equal(0, m.Core.Events.Send(a, sendPort));
        Assert.Equal(2, m.Substrate(b).Upcalls.Count);
    }

    [Fact]
    public void Upcall_is_not_raised_again_while_upcall_pending_is_set()
    {
        Domain g = m.Guest();
        Assert.Equal(0, m.Core.Events.BindIpi(g, 0, out int p1));
        Assert.Equal(0, m.Core.Events.BindIpi(g, 0, out int p2));
        Assert.Equal(0, m.Core.Events.Send(g, p1));
        Assert.Equal(0, m.Core.Events.Send(g, p2));
        Assert.Single(m.Substrate(g).Upcalls);
        Assert.Equal(new[] { p1, p2 }, EventView.Acknowledge(g, 0));
    }

    [Fact]
    public void Selector_bit_follows_the_port_word()
    {
        Domain g = m.Guest();
        int[] ports = new int[70];
        for (int i = 0; i < ports.Length; i++)
            Assert.Equal(0, m.Core.Events.BindIpi(g, 0, out ports[i]));
        Assert.Equal(70, ports[^1]);
        Assert.Equal(0, m.Core.Events.Send(g, 70));
        Assert.Equal(1UL << 1, EventView.Selector(g, 0));
        Assert.Equal(0, m.Core.Events.Send(g, 3));
        Assert.Equal((1UL << 1) | 1UL, EventView.Selector(g, 0));
        Assert.Equal(new[] { 3, 70 }, EventView.Acknowledge(g, 0));
    }

    [Fact]
    public void Masked_port_stays_pending_until_unmask_which_re_raises()
    {
        (Domain a, int sendPort, Domain b, int port) = Pair();
        EventView.Mask(b, port);
        Assert.Equal(0, m.Core.Events.Send(a, sendPort));
        Assert.True(EventView.Pending(b, port));
        Assert.Equal(0UL, EventView.Selector(b, 0));
        Assert.Equal(0, EventView.UpcallPending(b, 0));
        Assert.Empty(m.Substrate(b).Upcalls);
        Assert.Empty(EventView.Acknowledge(b, 0));
        Assert.True(EventView.Pending(b, port));

        Assert.Equal(0, m.Core.Events.Unmask(b, port));
        Assert.False(TwoLevelEvents.IsMasked(b, port));
        Assert.Single(m.Substrate(b).Upcalls);
        Assert.Equal(1, EventView.UpcallPending(b, 0));
        Assert.Equal(new[] { port }, EventView.Acknowledge(b, 0));
    }

    [Fact]
    public void Unmask_of_a_port_that_is_not_pending_raises_nothing()
    {
        (_, _, Domain b, int port) = Pair();
        EventView.Mask(b, port);
        Assert.Equal(0, m.Core.Events.Unmask(b, port));
        Assert.Empty(m.Substrate(b).Upcalls);
        Assert.Equal(0, m.Core.Events.Unmask(b, port));
        Assert.Empty(m.Substrate(b).Upcalls);
        Assert.Equal(-Errno.EINVAL, m.Core.Events.Unmask(b, b.EventChannels.Capacity));
        Assert.Equal(-Errno.EINVAL, m.Core.Events.Unmask(b, -1));
    }

    [Fact]
    public void Close_clears_pending_so_a_reused_port_starts_clean()
    {
        Domain g = m.Guest();
        Assert.Equal(0, m.Core.Events.BindIpi(g, 0, out int port));
        EventView.Mask(g, port);
        Assert.Equal(0, m.Core.Events.Send(g, port));
        Assert.True(EventView.Pending(g, port));
        Assert.Equal(0, m.Core.Events.Close(g, port));
        Assert.False(EventView.Pending(g, port));
    }

    [Fact]
    public void Services_see_pending_bits_in_their_own_shared_info_page()
    {
        Domain g = m.Guest();
        Domain console = m.Service(ServiceRole.Console);
        Assert.Equal(0, m.Core.Events.AllocUnbound(g, DomId.Self, console.Id, out int gport));
        Assert.Equal(0, m.Core.DomainOps.SetHvmParam(g, DomId.Self, HvmParam.CONSOLE_EVTCHN, (ulong)gport));
        Assert.Equal(0, m.Core.Services.EvtchnBindInterdomain(console, g.Id, gport, out int cport));
        EventView.Acknowledge(console, 0);
        m.Substrate(console).Upcalls.Clear();
        Assert.True(console.SharedInfo == console.SharedInfoBacking);
        Assert.Equal(0, m.Core.Events.Send(g, gport));
        Assert.True(EventView.Pending(console, cport));
        Assert.Equal(new[] { 0 }, m.Substrate(console).Upcalls);
    }

    [Fact]
    public void Moving_shared_info_into_guest_memory_keeps_its_state()
    {
        (Domain a, int sendPort, Domain b, int port) = Pair();
        EventView.Mask(b, port);
        Assert.Equal(0, m.Core.Events.Send(a, sendPort));
        const ulong gfn = 0x80;
        Assert.Equal(0, m.Core.DomainOps.PlaceSharedInfo(b, gfn));
        fixed (byte* guest = m.Memory(b).Bytes)
            Assert.True(b.SharedInfo == guest + (gfn << 12));
        Assert.True(EventView.Pending(b, port));
        Assert.True(TwoLevelEvents.IsMasked(b, port));
        Assert.Equal(0, m.Core.Events.Unmask(b, port));
        Assert.Equal(new[] { port }, EventView.Acknowledge(b, 0));
        Assert.Equal(-Errno.EINVAL, m.Core.DomainOps.PlaceSharedInfo(b, 1UL << 40));
    }

    [Fact]
    public void Registered_vcpu_info_receives_the_selector_and_upcall()
    {
        Domain g = m.Guest(vcpus: 2);
        const ulong gfn = 0x90;
        Assert.Equal(-Errno.EINVAL, m.Core.DomainOps.RegisterVcpuInfo(g, 1, gfn, 4090));
        Assert.Equal(-Errno.EINVAL, m.Core.DomainOps.RegisterVcpuInfo(g, 1, gfn, 3));
        Assert.Equal(-Errno.EINVAL, m.Core.DomainOps.RegisterVcpuInfo(g, 1, 1UL << 30, 0));
        Assert.Equal(-Errno.ENOENT, m.Core.DomainOps.RegisterVcpuInfo(g, 2, gfn, 0));
        Assert.Equal(0, m.Core.DomainOps.RegisterVcpuInfo(g, 1, gfn, 64));
        Assert.Equal(-Errno.EINVAL, m.Core.DomainOps.RegisterVcpuInfo(g, 1, gfn, 128));
        // Registration marks everything pending, as Xen does, so nothing is lost in the move.
        Assert.Equal(new[] { 1 }, m.Substrate(g).Upcalls);
        EventView.Acknowledge(g, 1);
        Assert.Equal(0, m.Core.Events.BindIpi(g, 1, out int port));
        Assert.Equal(0, m.Core.Events.Send(g, port));
        Assert.Equal(1, m.Memory(g).Bytes[(int)(gfn << 12) + 64]);
        Assert.Equal(new[] { port }, EventView.Acknowledge(g, 1));
    }
}
