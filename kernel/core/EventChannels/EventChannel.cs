namespace Micro.Core.EventChannels;

/// <summary>One port of a domain's event-channel table.</summary>
public struct EventChannel
{
    public EventChannelState State;

    /// <summary>The vCPU whose vcpu_info is notified.</summary>
    public int NotifyVcpu;

    /// <summary>Unbound: the domain allowed to bind; interdomain: the peer.</summary>
    public int RemoteDomain;

    /// <summary>Interdomain: the peer's port.</summary>
    public int RemotePort;

    /// <summary>Virq: the VIRQ_* number.</summary>
    public int Virq;
}
