using System.Text;
using Micro.Core.Domains;
using Micro.Core.EventChannels;
using Micro.Core.GrantTables;
using Micro.Core.Hypercalls;
using Micro.Core.Tests.Support;
using N = Micro.Core.Hypercalls.HypercallNumber;

namespace Micro.Core.Tests;

/// <summary>Guests' hypercalls with their arguments in guest memory, through the dispatcher.</summary>
public unsafe class HypercallTests
{
    private const ulong Arg = 0x1000;
    private const ulong Beyond = Machine.GuestMemorySize;
    private readonly Machine m = new();

    private long Evtchn<T>(Domain d, int cmd, ref T op, int vcpu = 0) where T : unmanaged
    {
        m.Memory(d).WriteStruct(Arg, op);
        long rc = m.Call(d, N.event_channel_op, (ulong)cmd, Arg, vcpu: vcpu);
        op = m.Memory(d).ReadStruct<T>(Arg);
        return rc;
    }

    private long Send(Domain d, int port)
    {
        var op = new EvtchnPort { port = (uint)port };
        return Evtchn(d, EventChannelAbi.EVTCHNOP_send, ref op);
    }

    [Fact]
    public void Event_channel_ops_read_arguments_and_write_results_in_guest_memory()
    {
        Domain g1 = m.Guest(), g2 = m.Guest();
        var alloc = new EvtchnAllocUnbound { dom = DomId.Self, remote_dom = (ushort)g2.Id };
        Assert.Equal(0, Evtchn(g1, EventChannelAbi.EVTCHNOP_alloc_unbound, ref alloc));
        Assert.Equal(1u, alloc.port);

        var bind = new EvtchnBindInterdomain { remote_dom = (ushort)g1.Id, remote_port = alloc.port };
        Assert.Equal(0, Evtchn(g2, EventChannelAbi.EVTCHNOP_bind_interdomain, ref bind));
        Assert.Equal(1u, bind.local_port);

        var status = new EvtchnStatusArgs { dom = DomId.Self, port = alloc.port };
        Assert.Equal(0, Evtchn(g1, EventChannelAbi.EVTCHNOP_status, ref status));
        Assert.Equal(EventChannelStatus.EVTCHNSTAT_interdomain, status.status);
        Assert.Equal((uint)g2.Id, status.u0 & 0xFFFF);
        Assert.Equal(bind.local_port, status.u1);

        Assert.Equal(0, Send(g1, (int)alloc.port));
        Assert.Contains((int)bind.local_port, EventView.Acknowledge(g2, 0));

        var virq = new EvtchnBindVirq { virq = Virq.TIMER, vcpu = 1 };
        Assert.Equal(0, Evtchn(g1, EventChannelAbi.EVTCHNOP_bind_virq, ref virq));
        Assert.Equal(2u, virq.port);
        var ipi = new EvtchnBindIpi { vcpu = 1 };
        Assert.Equal(0, Evtchn(g1, EventChannelAbi.EVTCHNOP_bind_ipi, ref ipi));
        Assert.Equal(3u, ipi.port);
        var move = new EvtchnBindVcpu { port = alloc.port, vcpu = 1 };
        Assert.Equal(0, Evtchn(g1, EventChannelAbi.EVTCHNOP_bind_vcpu, ref move));
        var unmask = new EvtchnPort { port = ipi.port };
        Assert.Equal(0, Evtchn(g1, EventChannelAbi.EVTCHNOP_unmask, ref unmask));
        var close = new EvtchnPort { port = ipi.port };
        Assert.Equal(0, Evtchn(g1, EventChannelAbi.EVTCHNOP_close, ref close));
        Assert.Equal(-Errno.EINVAL, Evtchn(g1, EventChannelAbi.EVTCHNOP_close, ref close));
    }

    [Fact]
    public void Garbage_event_channel_arguments_get_errors_and_log_lines()
    {
        Domain g = m.Guest();
        var bad = new EvtchnPort { port = uint.MaxValue };
        Assert.Equal(-Errno.EINVAL, Evtchn(g, EventChannelAbi.EVTCHNOP_send, ref bad));
        bad.port = 4096;
        Assert.Equal(-Errno.EINVAL, Evtchn(g, EventChannelAbi.EVTCHNOP_unmask, ref bad));
        var virq = new EvtchnBindVirq { virq = uint.MaxValue, vcpu = 0 };
        Assert.Equal(-Errno.EINVAL, Evtchn(g, EventChannelAbi.EVTCHNOP_bind_virq, ref virq));
        var ipi = new EvtchnBindIpi { vcpu = 0x80000000 };
        Assert.Equal(-Errno.ENOENT, Evtchn(g, EventChannelAbi.EVTCHNOP_bind_ipi, ref ipi));
        var alloc = new EvtchnAllocUnbound { dom = 0xFFFF, remote_dom = 0 };
        Assert.Equal(-Errno.ESRCH, Evtchn(g, EventChannelAbi.EVTCHNOP_alloc_unbound, ref alloc));
        Assert.Equal(-Errno.ENOSYS, m.Call(g, N.event_channel_op, EventChannelAbi.EVTCHNOP_bind_pirq, Arg));
        Assert.Equal(-Errno.ENOSYS, m.Call(g, N.event_channel_op, ulong.MaxValue, Arg));
        Assert.True(m.Log.Count(LogLevel.Warning, g.Id) >= 6);
    }

    [Fact]
    public void Pointers_outside_guest_memory_get_efault()
    {
        Domain g = m.Guest();
        foreach (ulong address in new[] { Beyond, Beyond - 2, ulong.MaxValue - 1, 1UL << 63 })
        {
            Assert.Equal(-Errno.EFAULT, m.Call(g, N.event_channel_op, EventChannelAbi.EVTCHNOP_alloc_unbound, address));
            Assert.Equal(-Errno.EFAULT, m.Call(g, N.event_channel_op, EventChannelAbi.EVTCHNOP_send, address));
            Assert.Equal(-Errno.EFAULT, m.Call(g, N.grant_table_op, GrantTableAbi.GNTTABOP_map_grant_ref, address, 1));
            Assert.Equal(-Errno.EFAULT, m.Call(g, N.sched_op, SchedAbi.SCHEDOP_poll, address));
            Assert.Equal(-Errno.EFAULT, m.Call(g, N.hvm_op, HvmAbi.HVMOP_get_param, address));
            Assert.Equal(-Errno.EFAULT, m.Call(g, N.memory_op, MemoryAbi.XENMEM_add_to_physmap, address));
            Assert.Equal(-Errno.EFAULT, m.Call(g, N.vcpu_op, VcpuAbi.VCPUOP_register_vcpu_info, 0, address));
            Assert.Equal(-Errno.EFAULT, m.Call(g, N.xen_version, XenVersionAbi.XENVER_extraversion, address));
            Assert.Equal(-Errno.EFAULT, m.Call(g, N.console_io, ConsoleIoAbi.CONSOLEIO_write, 16, address));
        }
        Assert.Empty(m.Substrate(g).Console);
        Assert.Equal(0, g.EventChannels.CountInUse());
    }

    [Fact]
    public void Unknown_hypercalls_get_enosys_and_a_log_line()
    {
        Domain g = m.Guest();
        foreach (ulong nr in new ulong[] { N.set_trap_table, N.mmu_update, N.multicall, N.physdev_op, N.domctl, 99, ulong.MaxValue })
        {
            Assert.Equal(-Errno.ENOSYS, m.Call(g, nr, 1, 2, 3));
            Assert.Contains(m.Log.Lines, l => l.Message == "unknown hypercall" && l.A == (long)nr && l.Domid == g.Id);
        }
    }

    [Fact]
    public void Xen_version_answers_like_xen_4_17()
    {
        Domain g = m.Guest();
        Assert.Equal((4 << 16) | 17, m.Call(g, N.xen_version, XenVersionAbi.XENVER_version));
        Assert.Equal(0, m.Call(g, N.xen_version, XenVersionAbi.XENVER_extraversion, Arg));
        Assert.Equal(".0-micro\0", Encoding.ASCII.GetString(m.Memory(g).Bytes, (int)Arg, 9));
        Assert.Equal(0, m.Call(g, N.xen_version, XenVersionAbi.XENVER_capabilities, Arg));
        Assert.StartsWith("hvm-3.0-x86_64\0", Encoding.ASCII.GetString(m.Memory(g).Bytes, (int)Arg, 20));
        m.Memory(g).WriteStruct(Arg, new XenFeatureInfo { submap_idx = 0 });
        Assert.Equal(0, m.Call(g, N.xen_version, XenVersionAbi.XENVER_get_features, Arg));
        uint features = m.Memory(g).ReadStruct<XenFeatureInfo>(Arg).submap;
        Assert.NotEqual(0u, features & (1u << XenVersionAbi.XENFEAT_hvm_callback_vector));
        m.Memory(g).WriteStruct(Arg, new XenFeatureInfo { submap_idx = 5, submap = 77 });
        Assert.Equal(0, m.Call(g, N.xen_version, XenVersionAbi.XENVER_get_features, Arg));
        Assert.Equal(0u, m.Memory(g).ReadStruct<XenFeatureInfo>(Arg).submap);
        Assert.Equal(4096, m.Call(g, N.xen_version, XenVersionAbi.XENVER_pagesize));
        Assert.Equal(-Errno.ENOSYS, m.Call(g, N.xen_version, 1000));
    }

    [Fact]
    public void Console_writes_reach_the_domains_sink()
    {
        Domain g = m.Guest();
        byte[] text = Encoding.ASCII.GetBytes("Test result: SUCCESS\n");
        text.CopyTo(m.Memory(g).Bytes, (int)Arg);
        Assert.Equal(0, m.Call(g, N.console_io, ConsoleIoAbi.CONSOLEIO_write, (ulong)text.Length, Arg));
        Assert.Equal(text, m.Substrate(g).Console);
        // Spanning chunks, ending exactly at the end of memory.
        Assert.Equal(0, m.Call(g, N.console_io, ConsoleIoAbi.CONSOLEIO_write, 1000, Beyond - 1000));
        Assert.Equal(text.Length + 1000, m.Substrate(g).Console.Count);
        Assert.Equal(-Errno.EFAULT, m.Call(g, N.console_io, ConsoleIoAbi.CONSOLEIO_write, 1001, Beyond - 1000));
        Assert.Equal(-Errno.EINVAL, m.Call(g, N.console_io, ConsoleIoAbi.CONSOLEIO_write, 1UL << 32, Arg));
        Assert.Equal(-Errno.EPERM, m.Call(g, N.console_io, ConsoleIoAbi.CONSOLEIO_read, 16, Arg));
        Assert.Equal(text.Length + 1000, m.Substrate(g).Console.Count);
    }

    [Fact]
    public void Hvm_params_follow_xens_guest_rules()
    {
        Domain g = m.Guest(), other = m.Guest();
        ulong callback = (HvmParam.CallbackTypeVector << HvmParam.CallbackTypeShift) | 0xF3;
        m.Memory(g).WriteStruct(Arg, new XenHvmParam { domid = DomId.Self, index = HvmParam.CALLBACK_IRQ, value = callback });
        Assert.Equal(0, m.Call(g, N.hvm_op, HvmAbi.HVMOP_set_param, Arg));
        Assert.Equal(0xF3, g.UpcallVector(0));

        m.Memory(g).WriteStruct(Arg, new XenHvmParam { domid = DomId.Self, index = HvmParam.STORE_PFN, value = 5 });
        Assert.Equal(-Errno.EPERM, m.Call(g, N.hvm_op, HvmAbi.HVMOP_set_param, Arg));
        Assert.Contains(m.Log.Lines, l => l.Level == LogLevel.Refusal && l.Message == "hvm_set_param" && l.Domid == g.Id);
        m.Memory(g).WriteStruct(Arg, new XenHvmParam { domid = (ushort)other.Id, index = HvmParam.CALLBACK_IRQ });
        Assert.Equal(-Errno.EPERM, m.Call(g, N.hvm_op, HvmAbi.HVMOP_set_param, Arg));
        m.Memory(g).WriteStruct(Arg, new XenHvmParam { domid = (ushort)other.Id, index = HvmParam.STORE_PFN });
        Assert.Equal(-Errno.EPERM, m.Call(g, N.hvm_op, HvmAbi.HVMOP_get_param, Arg));
        m.Memory(g).WriteStruct(Arg, new XenHvmParam { domid = DomId.Self, index = HvmParam.NR_PARAMS });
        Assert.Equal(-Errno.EINVAL, m.Call(g, N.hvm_op, HvmAbi.HVMOP_get_param, Arg));
        m.Memory(g).WriteStruct(Arg, new XenHvmParam { domid = 4000, index = 1 });
        Assert.Equal(-Errno.ESRCH, m.Call(g, N.hvm_op, HvmAbi.HVMOP_get_param, Arg));

        Domain ts = m.Service(ServiceRole.Toolstack);
        Assert.Equal(0, m.Core.Services.SetHvmParam(ts, g.Id, HvmParam.STORE_PFN, 0xFEFFF));
        m.Memory(g).WriteStruct(Arg, new XenHvmParam { domid = DomId.Self, index = HvmParam.STORE_PFN });
        Assert.Equal(0, m.Call(g, N.hvm_op, HvmAbi.HVMOP_get_param, Arg));
        Assert.Equal(0xFEFFFUL, m.Memory(g).ReadStruct<XenHvmParam>(Arg).value);

        m.Memory(g).WriteStruct(Arg, new XenHvmEvtchnUpcallVector { vcpu = 1, vector = 0xE0 });
        Assert.Equal(0, m.Call(g, N.hvm_op, HvmAbi.HVMOP_set_evtchn_upcall_vector, Arg));
        Assert.Equal(0xE0, g.UpcallVector(1));
        m.Memory(g).WriteStruct(Arg, new XenHvmEvtchnUpcallVector { vcpu = 1, vector = 3 });
        Assert.Equal(-Errno.EINVAL, m.Call(g, N.hvm_op, HvmAbi.HVMOP_set_evtchn_upcall_vector, Arg));
        m.Memory(g).WriteStruct(Arg, new XenHvmEvtchnUpcallVector { vcpu = 9, vector = 0xE0 });
        Assert.Equal(-Errno.ENOENT, m.Call(g, N.hvm_op, HvmAbi.HVMOP_set_evtchn_upcall_vector, Arg));
        Assert.Equal(-Errno.ENOSYS, m.Call(g, N.hvm_op, HvmAbi.HVMOP_get_time, Arg));
    }

    [Fact]
    public void Add_to_physmap_places_shared_info_and_grant_frames()
    {
        Domain g = m.Guest(), other = m.Guest();
        m.Memory(g).WriteStruct(Arg, new XenAddToPhysmap { domid = DomId.Self, space = MemoryAbi.XENMAPSPACE_shared_info, gpfn = 0xF0 });
        Assert.Equal(0, m.Call(g, N.memory_op, MemoryAbi.XENMEM_add_to_physmap, Arg));
        Assert.Equal(0xF0UL, g.SharedInfoGfn);
        m.Memory(g).WriteStruct(Arg, new XenAddToPhysmap { domid = DomId.Self, space = MemoryAbi.XENMAPSPACE_grant_table, idx = 1, gpfn = 0xF1 });
        Assert.Equal(0, m.Call(g, N.memory_op, MemoryAbi.XENMEM_add_to_physmap, Arg));
        Assert.Equal(0xF1UL, g.Grants.FrameGfn(1));

        m.Memory(g).WriteStruct(Arg, new XenAddToPhysmap { domid = DomId.Self, space = MemoryAbi.XENMAPSPACE_shared_info, idx = 1, gpfn = 0xF0 });
        Assert.Equal(-Errno.EINVAL, m.Call(g, N.memory_op, MemoryAbi.XENMEM_add_to_physmap, Arg));
        m.Memory(g).WriteStruct(Arg, new XenAddToPhysmap { domid = DomId.Self, space = MemoryAbi.XENMAPSPACE_grant_table, idx = MemoryAbi.XENMAPIDX_grant_table_status, gpfn = 0xF2 });
        Assert.Equal(-Errno.EINVAL, m.Call(g, N.memory_op, MemoryAbi.XENMEM_add_to_physmap, Arg));
        m.Memory(g).WriteStruct(Arg, new XenAddToPhysmap { domid = DomId.Self, space = MemoryAbi.XENMAPSPACE_gmfn_foreign, gpfn = 0xF2 });
        Assert.Equal(-Errno.EINVAL, m.Call(g, N.memory_op, MemoryAbi.XENMEM_add_to_physmap, Arg));
        m.Memory(g).WriteStruct(Arg, new XenAddToPhysmap { domid = DomId.Self, space = MemoryAbi.XENMAPSPACE_shared_info, gpfn = 1UL << 60 });
        Assert.Equal(-Errno.EINVAL, m.Call(g, N.memory_op, MemoryAbi.XENMEM_add_to_physmap, Arg));
        m.Memory(g).WriteStruct(Arg, new XenAddToPhysmap { domid = (ushort)other.Id, space = MemoryAbi.XENMAPSPACE_shared_info, gpfn = 0xF3 });
        Assert.Equal(-Errno.EPERM, m.Call(g, N.memory_op, MemoryAbi.XENMEM_add_to_physmap, Arg));
        Assert.Equal(Domain.NoGfn, other.SharedInfoGfn);
        Assert.Equal(-Errno.ENOSYS, m.Call(g, N.memory_op, 6, Arg));
    }

    [Fact]
    public void Vcpu_op_registers_vcpu_info_and_checks_the_vcpu()
    {
        Domain g = m.Guest(vcpus: 2);
        Assert.Equal(1, m.Call(g, N.vcpu_op, VcpuAbi.VCPUOP_is_up, 1));
        Assert.Equal(-Errno.ENOENT, m.Call(g, N.vcpu_op, VcpuAbi.VCPUOP_is_up, 2));
        Assert.Equal(-Errno.ENOENT, m.Call(g, N.vcpu_op, VcpuAbi.VCPUOP_is_up, ulong.MaxValue));
        m.Memory(g).WriteStruct(Arg, new VcpuRegisterVcpuInfo { mfn = 0xA0, offset = 0 });
        Assert.Equal(0, m.Call(g, N.vcpu_op, VcpuAbi.VCPUOP_register_vcpu_info, 1, Arg));
        m.Memory(g).WriteStruct(Arg, new VcpuRegisterVcpuInfo { mfn = 0xA0, offset = 64, rsvd = 1 });
        Assert.Equal(-Errno.EINVAL, m.Call(g, N.vcpu_op, VcpuAbi.VCPUOP_register_vcpu_info, 0, Arg));
        Assert.Equal(-Errno.ENOSYS, m.Call(g, N.vcpu_op, VcpuAbi.VCPUOP_set_singleshot_timer, 0, Arg));
    }

    [Fact]
    public void Sched_block_blocks_only_without_pending_events()
    {
        Domain g = m.Guest();
        Assert.Equal(0, m.Call(g, N.sched_op, SchedAbi.SCHEDOP_yield));
        Assert.Equal(0, m.Call(g, N.sched_op, SchedAbi.SCHEDOP_block, vcpu: 1));
        Assert.Equal(new[] { (1, 0UL) }, m.Substrate(g).Blocks);
        Assert.Equal(0, m.Core.Events.BindIpi(g, 1, out int port));
        Assert.Equal(0, Send(g, port));
        Assert.Equal(0, m.Call(g, N.sched_op, SchedAbi.SCHEDOP_block, vcpu: 1));
        Assert.Single(m.Substrate(g).Blocks);
    }

    [Fact]
    public void Sched_poll_returns_at_once_or_blocks_until_a_polled_port_fires_even_masked()
    {
        Domain g = m.Guest();
        Assert.Equal(0, m.Core.Events.BindIpi(g, 0, out int p1));
        Assert.Equal(0, m.Core.Events.BindIpi(g, 0, out int p2));
        EventView.Mask(g, p1);
        const ulong ports = 0x2000;
        m.Memory(g).WriteStruct(ports, (uint)p1);
        m.Memory(g).WriteStruct(Arg, new SchedPoll { ports = ports, nr_ports = 1, timeout = 12345 });
        Assert.Equal(0, m.Call(g, N.sched_op, SchedAbi.SCHEDOP_poll, Arg));
        Assert.Equal(new[] { (0, 12345UL) }, m.Substrate(g).Blocks);
        Assert.True(g.IsPolling(0));
        Assert.Equal(0, Send(g, p2)); // not polled: no wake
        Assert.Empty(m.Substrate(g).Wakes);
        Assert.Equal(0, Send(g, p1)); // polled and masked: wake
        Assert.Equal(new[] { 0 }, m.Substrate(g).Wakes);
        Assert.False(g.IsPolling(0));
        m.Memory(g).WriteStruct(Arg, new SchedPoll { ports = ports, nr_ports = 1, timeout = 12345 });
        Assert.Equal(0, m.Call(g, N.sched_op, SchedAbi.SCHEDOP_poll, Arg)); // pending now: no block
        Assert.Single(m.Substrate(g).Blocks);

        m.Memory(g).WriteStruct(Arg, new SchedPoll { ports = ports, nr_ports = 129 });
        Assert.Equal(-Errno.EINVAL, m.Call(g, N.sched_op, SchedAbi.SCHEDOP_poll, Arg));
        m.Memory(g).WriteStruct(ports, 5000u);
        m.Memory(g).WriteStruct(Arg, new SchedPoll { ports = ports, nr_ports = 1 });
        Assert.Equal(-Errno.EINVAL, m.Call(g, N.sched_op, SchedAbi.SCHEDOP_poll, Arg));
        m.Memory(g).WriteStruct(Arg, new SchedPoll { ports = Beyond - 2, nr_ports = 1 });
        Assert.Equal(-Errno.EFAULT, m.Call(g, N.sched_op, SchedAbi.SCHEDOP_poll, Arg));
    }

    [Fact]
    public void Sched_shutdown_stops_the_domain_and_tells_xenstore()
    {
        Domain g = m.Guest(), other = m.Guest();
        Domain xs = m.Service(ServiceRole.XenStore);
        Assert.Equal(0, m.Core.Services.EvtchnBindVirq(xs, Virq.DOM_EXC, out int domExc));
        m.Memory(g).WriteStruct(Arg, new SchedShutdown { reason = 7 });
        Assert.Equal(-Errno.EINVAL, m.Call(g, N.sched_op, SchedAbi.SCHEDOP_shutdown, Arg));
        m.Memory(g).WriteStruct(Arg, new SchedRemoteShutdown { domain_id = (ushort)other.Id, reason = ShutdownReason.Poweroff });
        Assert.Equal(-Errno.EPERM, m.Call(g, N.sched_op, SchedAbi.SCHEDOP_remote_shutdown, Arg));
        m.Memory(g).WriteStruct(Arg, new SchedShutdown { reason = ShutdownReason.Crash });
        Assert.Equal(0, m.Call(g, N.sched_op, SchedAbi.SCHEDOP_shutdown, Arg));
        Assert.Equal(DomainState.Shutdown, g.State);
        Assert.Equal(ShutdownReason.Crash, g.ShutdownReason);
        Assert.Equal(DomainState.Shutdown, m.Substrate(g).States[^1]);
        Assert.Equal(new[] { domExc }, EventView.Acknowledge(xs, 0));
        Assert.Equal(0, m.Core.Services.DomainGetState(xs, g.Id, out DomainState state, out int reason));
        Assert.Equal((DomainState.Shutdown, ShutdownReason.Crash), (state, reason));
    }

    [Fact]
    public void A_guest_maps_another_guests_grant_through_grant_table_op()
    {
        Domain g1 = m.Guest(), g2 = m.Guest();
        const ulong frameGfn = 0x20, hostAddr = 0x7000;
        m.Memory(g1).WriteStruct(Arg, new XenAddToPhysmap { domid = DomId.Self, space = MemoryAbi.XENMAPSPACE_grant_table, idx = 0, gpfn = frameGfn });
        Assert.Equal(0, m.Call(g1, N.memory_op, MemoryAbi.XENMEM_add_to_physmap, Arg));
        m.Memory(g1).WriteStruct(frameGfn * 4096 + 8 * 8, GrantTable.MakeEntry(GrantFlags.GTF_permit_access, g2.Id, 0x33));

        var maps = new GnttabMapGrantRef[3];
        maps[0] = new GnttabMapGrantRef { host_addr = hostAddr, flags = GrantFlags.GNTMAP_host_map, @ref = 8, dom = (ushort)g1.Id };
        maps[1] = new GnttabMapGrantRef { host_addr = hostAddr + 4096, flags = GrantFlags.GNTMAP_host_map, @ref = 9, dom = (ushort)g1.Id };
        maps[2] = new GnttabMapGrantRef { host_addr = hostAddr + 8192, flags = 0, @ref = 8, dom = (ushort)g1.Id };
        for (int i = 0; i < maps.Length; i++)
            m.Memory(g2).WriteStruct(Arg + (ulong)(i * 32), maps[i]);
        Assert.Equal(0, m.Call(g2, N.grant_table_op, GrantTableAbi.GNTTABOP_map_grant_ref, Arg, 3));
        GnttabMapGrantRef ok = m.Memory(g2).ReadStruct<GnttabMapGrantRef>(Arg);
        Assert.Equal(GrantStatus.okay, ok.status);
        Assert.Equal(GrantStatus.general_error, m.Memory(g2).ReadStruct<GnttabMapGrantRef>(Arg + 32).status);
        Assert.Equal(GrantStatus.bad_gntref, m.Memory(g2).ReadStruct<GnttabMapGrantRef>(Arg + 64).status);
        Assert.Equal((g1.Id, 0x33UL, false), m.Substrate(g2).ForeignMaps[hostAddr]);

        m.Memory(g2).WriteStruct(Arg, new GnttabUnmapGrantRef { host_addr = hostAddr, handle = ok.handle });
        m.Memory(g2).WriteStruct(Arg + 24, new GnttabUnmapGrantRef { host_addr = hostAddr, handle = ok.handle });
        Assert.Equal(0, m.Call(g2, N.grant_table_op, GrantTableAbi.GNTTABOP_unmap_grant_ref, Arg, 2));
        Assert.Equal(GrantStatus.okay, m.Memory(g2).ReadStruct<GnttabUnmapGrantRef>(Arg).status);
        Assert.Equal(GrantStatus.bad_handle, m.Memory(g2).ReadStruct<GnttabUnmapGrantRef>(Arg + 24).status);
        Assert.Empty(m.Substrate(g2).ForeignMaps);
        Assert.Equal(GrantFlags.GTF_permit_access, (ushort)m.Memory(g1).ReadStruct<ulong>(frameGfn * 4096 + 64));

        // The substrate failing to map undoes the pin.
        m.Substrate(g2).MapFailure = -Errno.ENOMEM;
        m.Memory(g2).WriteStruct(Arg, maps[0]);
        Assert.Equal(0, m.Call(g2, N.grant_table_op, GrantTableAbi.GNTTABOP_map_grant_ref, Arg, 1));
        Assert.Equal(GrantStatus.general_error, m.Memory(g2).ReadStruct<GnttabMapGrantRef>(Arg).status);
        Assert.Equal(0, g1.Grants.ReadPins(8) + g1.Grants.WritePins(8));
        Assert.Equal(-Errno.EINVAL, m.Call(g2, N.grant_table_op, GrantTableAbi.GNTTABOP_map_grant_ref, Arg, 513));
    }

    [Fact]
    public void Grant_table_queries_and_versions()
    {
        Domain g = m.Guest(), other = m.Guest();
        m.Memory(g).WriteStruct(Arg, new GnttabQuerySize { dom = DomId.Self });
        Assert.Equal(0, m.Call(g, N.grant_table_op, GrantTableAbi.GNTTABOP_query_size, Arg, 1));
        GnttabQuerySize q = m.Memory(g).ReadStruct<GnttabQuerySize>(Arg);
        Assert.Equal((GrantStatus.okay, 1u, 4u), (q.status, q.nr_frames, q.max_nr_frames));
        m.Memory(g).WriteStruct(Arg, new GnttabQuerySize { dom = (ushort)other.Id });
        Assert.Equal(0, m.Call(g, N.grant_table_op, GrantTableAbi.GNTTABOP_query_size, Arg, 1));
        Assert.Equal(GrantStatus.permission_denied, m.Memory(g).ReadStruct<GnttabQuerySize>(Arg).status);

        m.Memory(g).WriteStruct(Arg, new GnttabSetupTable { dom = DomId.Self, nr_frames = 2, frame_list = 0x3000 });
        Assert.Equal(0, m.Call(g, N.grant_table_op, GrantTableAbi.GNTTABOP_setup_table, Arg, 1));
        Assert.Equal(GrantStatus.okay, m.Memory(g).ReadStruct<GnttabSetupTable>(Arg).status);
        Assert.Equal(2, g.Grants.FrameCount);
        m.Memory(g).WriteStruct(Arg, new GnttabSetupTable { dom = DomId.Self, nr_frames = 5, frame_list = 0x3000 });
        Assert.Equal(0, m.Call(g, N.grant_table_op, GrantTableAbi.GNTTABOP_setup_table, Arg, 1));
        Assert.Equal(GrantStatus.general_error, m.Memory(g).ReadStruct<GnttabSetupTable>(Arg).status);
        m.Memory(g).WriteStruct(Arg, new GnttabSetupTable { dom = 999, nr_frames = 1, frame_list = 0x3000 });
        Assert.Equal(0, m.Call(g, N.grant_table_op, GrantTableAbi.GNTTABOP_setup_table, Arg, 1));
        Assert.Equal(GrantStatus.bad_domain, m.Memory(g).ReadStruct<GnttabSetupTable>(Arg).status);
        m.Memory(g).WriteStruct(Arg, new GnttabSetupTable { dom = DomId.Self, nr_frames = 1, frame_list = Beyond });
        Assert.Equal(-Errno.EFAULT, m.Call(g, N.grant_table_op, GrantTableAbi.GNTTABOP_setup_table, Arg, 1));

        m.Memory(g).WriteStruct(Arg, 1u);
        Assert.Equal(0, m.Call(g, N.grant_table_op, GrantTableAbi.GNTTABOP_set_version, Arg, 1));
        m.Memory(g).WriteStruct(Arg, 2u);
        Assert.Equal(-Errno.ENOSYS, m.Call(g, N.grant_table_op, GrantTableAbi.GNTTABOP_set_version, Arg, 1));
        m.Memory(g).WriteStruct(Arg, 3u);
        Assert.Equal(-Errno.EINVAL, m.Call(g, N.grant_table_op, GrantTableAbi.GNTTABOP_set_version, Arg, 1));
        m.Memory(g).WriteStruct(Arg, new GnttabGetVersion { dom = DomId.Self });
        Assert.Equal(0, m.Call(g, N.grant_table_op, GrantTableAbi.GNTTABOP_get_version, Arg, 1));
        Assert.Equal(1u, m.Memory(g).ReadStruct<GnttabGetVersion>(Arg).version);
        Assert.Equal(-Errno.ENOSYS, m.Call(g, N.grant_table_op, GrantTableAbi.GNTTABOP_copy, Arg, 1));
    }

    [Fact]
    public void Hypercalls_from_a_missing_vcpu_are_refused()
    {
        Domain g = m.Guest(vcpus: 1);
        Assert.Equal(-Errno.ESRCH, m.Core.Hypercalls.Dispatch(g, 1, N.xen_version, 0, 0, 0, 0, 0));
        Assert.Equal(-Errno.ESRCH, m.Core.Hypercalls.Dispatch(g, -1, N.xen_version, 0, 0, 0, 0, 0));
    }
}
