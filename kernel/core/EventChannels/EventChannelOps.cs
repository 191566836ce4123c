using Micro.Core.Domains;
using Micro.Core.Policy;

namespace Micro.Core.EventChannels;

/// <summary>
/// The event-channel operations (EVTCHNOP_*, semantics of xen/common/event_channel.c) shared by guest
/// hypercalls and service requests. Each checks its arguments and the privilege policy and returns 0
/// (or a port) or a negative errno. Callers hold the core lock.
/// </summary>
public sealed class EventChannelOps
{
    private readonly DomainTable domains;
    private readonly PrivilegePolicy policy;

    public EventChannelOps(DomainTable domains, PrivilegePolicy policy)
    {
        this.domains = domains;
        this.policy = policy;
    }

    /// <summary>EVTCHNOP_alloc_unbound: a port in <paramref name="dom"/> that <paramref name="remoteDom"/> may bind.</summary>
    public int AllocUnbound(Domain caller, int dom, int remoteDom, out int port)
    {
        port = 0;
        Domain? d = domains.Resolve(caller, dom);
        if (d == null || !d.IsAlive)
            return -Errno.ESRCH;
        int rc = policy.MayAllocUnboundFor(caller, d);
        if (rc < 0)
            return rc;
        if (remoteDom == DomId.Self)
            remoteDom = caller.Id;
        if (remoteDom < 0 || remoteDom >= DomId.FirstReserved)
            return -Errno.ESRCH;
        rc = d.EventChannels.Allocate(remoteDom);
        if (rc < 0)
            return rc;
        port = rc;
        return 0;
    }

    /// <summary>
    /// EVTCHNOP_bind_interdomain: connects a new local port to <paramref name="remotePort"/> of
    /// <paramref name="remoteDom"/>, which must be unbound and name the caller.
    /// </summary>
    public int BindInterdomain(Domain caller, int remoteDom, int remotePort, out int localPort)
    {
        localPort = 0;
        Domain? rd = domains.Resolve(caller, remoteDom);
        if (rd == null || !rd.IsAlive)
            return -Errno.ESRCH;
        if (!rd.EventChannels.IsValidPort(remotePort))
            return -Errno.EINVAL;
        int rc = policy.MayBindInterdomain(caller, rd, remotePort);
        if (rc < 0)
            return rc;
        ref EventChannel remote = ref rd.EventChannels[remotePort];
        if (remote.State != EventChannelState.Unbound || remote.RemoteDomain != caller.Id)
            return -Errno.EINVAL;
        rc = caller.EventChannels.Allocate(rd.Id);
        if (rc < 0)
            return rc;
        int port = rc;
        ref EventChannel local = ref caller.EventChannels[port];
        local.State = EventChannelState.Interdomain;
        local.RemoteDomain = rd.Id;
        local.RemotePort = remotePort;
        remote.State = EventChannelState.Interdomain;
        remote.RemoteDomain = caller.Id;
        remote.RemotePort = port;
        // As Xen does: notifications sent while the remote port was unbound are lost, so raise one.
        TwoLevelEvents.SetPending(caller, port, local.NotifyVcpu);
        localPort = port;
        return 0;
    }

    /// <summary>EVTCHNOP_bind_virq.</summary>
    public int BindVirq(Domain caller, int virq, int vcpu, out int port)
    {
        port = 0;
        if (virq < 0 || virq >= Virq.NR_VIRQS)
            return -Errno.EINVAL;
        if (Virq.IsGlobal(virq) && vcpu != 0)
            return -Errno.EINVAL;
        if (!caller.IsValidVcpu(vcpu))
            return -Errno.ENOENT;
        int rc = policy.MayBindVirq(caller, virq);
        if (rc < 0)
            return rc;
        if (caller.EventChannels.VirqPort(virq, vcpu) != 0)
            return -Errno.EEXIST;
        rc = caller.EventChannels.Allocate(DomId.Invalid);
        if (rc < 0)
            return rc;
        ref EventChannel channel = ref caller.EventChannels[rc];
        channel.State = EventChannelState.Virq;
        channel.Virq = virq;
        channel.NotifyVcpu = vcpu;
        channel.RemoteDomain = DomId.Invalid;
        caller.EventChannels.SetVirqPort(virq, vcpu, rc);
        port = rc;
        return 0;
    }

    /// <summary>EVTCHNOP_bind_ipi: a port that notifies <paramref name="vcpu"/> of the caller.</summary>
    public int BindIpi(Domain caller, int vcpu, out int port)
    {
        port = 0;
        if (!caller.IsValidVcpu(vcpu))
            return -Errno.ENOENT;
        int rc = caller.EventChannels.Allocate(DomId.Invalid);
        if (rc < 0)
            return rc;
        ref EventChannel channel = ref caller.EventChannels[rc];
        channel.State = EventChannelState.Ipi;
        channel.NotifyVcpu = vcpu;
        channel.RemoteDomain = DomId.Invalid;
        port = rc;
        return 0;
    }

    /// <summary>EVTCHNOP_close: frees the port; an interdomain peer's port becomes unbound to the caller again.</summary>
    public int Close(Domain caller, int port)
    {
        if (!caller.EventChannels.IsValidPort(port))
            return -Errno.EINVAL;
        ref EventChannel channel = ref caller.EventChannels[port];
        if (channel.State == EventChannelState.Free || channel.State == EventChannelState.Reserved)
            return -Errno.EINVAL;
        if (channel.State == EventChannelState.Interdomain)
        {
            Domain? rd = domains.Lookup(channel.RemoteDomain);
            if (rd != null && rd.EventChannels.IsValidPort(channel.RemotePort))
            {
                ref EventChannel remote = ref rd.EventChannels[channel.RemotePort];
                if (remote.State == EventChannelState.Interdomain && remote.RemoteDomain == caller.Id &&
                    remote.RemotePort == port)
                {
                    remote.State = EventChannelState.Unbound;
                    remote.RemoteDomain = caller.Id;
                    remote.RemotePort = 0;
                }
            }
        }
        TwoLevelEvents.ClearPending(caller, port);
        caller.EventChannels.Free(port);
        return 0;
    }

    /// <summary>
    /// EVTCHNOP_send: interdomain notifies the peer's port, IPI the caller's own vCPU; a send on an unbound
    /// port is dropped silently, as in Xen.
    /// </summary>
    public int Send(Domain caller, int port)
    {
        if (!caller.EventChannels.IsValidPort(port))
            return -Errno.EINVAL;
        ref EventChannel channel = ref caller.EventChannels[port];
        switch (channel.State)
        {
            case EventChannelState.Interdomain:
                {
                    Domain? rd = domains.Lookup(channel.RemoteDomain);
                    if (rd == null || !rd.EventChannels.IsValidPort(channel.RemotePort))
                        return -Errno.EINVAL;
                    TwoLevelEvents.SetPending(rd, channel.RemotePort, rd.EventChannels[channel.RemotePort].NotifyVcpu);
                    return 0;
                }
            case EventChannelState.Ipi:
                TwoLevelEvents.SetPending(caller, port, channel.NotifyVcpu);
                return 0;
            case EventChannelState.Unbound:
                return 0;
            default:
                return -Errno.EINVAL;
        }
    }

    /// <summary>EVTCHNOP_status of <paramref name="port"/> in <paramref name="dom"/>.</summary>
    public int Status(Domain caller, int dom, int port, out EventChannelStatus status)
    {
        status = default;
        Domain? d = domains.Resolve(caller, dom);
        if (d == null || !d.IsAlive)
            return -Errno.ESRCH;
        int rc = policy.MayInspect(caller, d, "evtchn_status");
        if (rc < 0)
            return rc;
        if (!d.EventChannels.IsValidPort(port))
            return -Errno.EINVAL;
        ref EventChannel channel = ref d.EventChannels[port];
        status.Vcpu = (uint)channel.NotifyVcpu;
        switch (channel.State)
        {
            case EventChannelState.Unbound:
                status.Status = EventChannelStatus.EVTCHNSTAT_unbound;
                status.RemoteDomain = channel.RemoteDomain;
                break;
            case EventChannelState.Interdomain:
                status.Status = EventChannelStatus.EVTCHNSTAT_interdomain;
                status.RemoteDomain = channel.RemoteDomain;
                status.RemotePort = channel.RemotePort;
                break;
            case EventChannelState.Virq:
                status.Status = EventChannelStatus.EVTCHNSTAT_virq;
                status.Virq = channel.Virq;
                break;
            case EventChannelState.Ipi:
                status.Status = EventChannelStatus.EVTCHNSTAT_ipi;
                break;
            default:
                status.Status = EventChannelStatus.EVTCHNSTAT_closed;
                break;
        }
        return 0;
    }

    /// <summary>EVTCHNOP_unmask: clears the mask and re-raises a pending event.</summary>
    public int Unmask(Domain caller, int port)
    {
        if (!caller.EventChannels.IsValidPort(port))
            return -Errno.EINVAL;
        TwoLevelEvents.Unmask(caller, port, caller.EventChannels[port].NotifyVcpu);
        return 0;
    }

    /// <summary>EVTCHNOP_bind_vcpu: which vCPU an interdomain, unbound or global-virq port notifies.</summary>
    public int BindVcpu(Domain caller, int port, int vcpu)
    {
        if (!caller.IsValidVcpu(vcpu))
            return -Errno.ENOENT;
        if (!caller.EventChannels.IsValidPort(port))
            return -Errno.EINVAL;
        ref EventChannel channel = ref caller.EventChannels[port];
        bool movable = channel.State == EventChannelState.Unbound || channel.State == EventChannelState.Interdomain ||
            (channel.State == EventChannelState.Virq && Virq.IsGlobal(channel.Virq));
        if (!movable)
            return -Errno.EINVAL;
        channel.NotifyVcpu = vcpu;
        return 0;
    }

    /// <summary>Raises <paramref name="virq"/> on <paramref name="vcpu"/> of <paramref name="d"/> if it is bound there.</summary>
    public void SendVirq(Domain d, int virq, int vcpu)
    {
        if (virq < 0 || virq >= Virq.NR_VIRQS || !d.IsValidVcpu(vcpu) || !d.IsAlive)
            return;
        int port = d.EventChannels.VirqPort(virq, vcpu);
        if (port != 0)
            TwoLevelEvents.SetPending(d, port, d.EventChannels[port].NotifyVcpu);
    }

    /// <summary>Raises a global virq in every domain that bound it (VIRQ_DOM_EXC reaches only those allowed to bind it).</summary>
    public void SendGlobalVirq(int virq)
    {
        for (int id = 0; id < domains.Capacity; id++)
        {
            Domain? d = domains.Lookup(id);
            if (d != null)
                SendVirq(d, virq, 0);
        }
    }

    /// <summary>Closes every port of a dying domain, turning its peers' ports back into unbound ones.</summary>
    public void CloseAll(Domain d)
    {
        for (int port = 1; port < d.EventChannels.Capacity; port++)
        {
            if (d.EventChannels[port].State != EventChannelState.Free)
                Close(d, port);
        }
    }
}
