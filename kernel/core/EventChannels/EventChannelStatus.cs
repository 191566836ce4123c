namespace Micro.Core.EventChannels;

/// <summary>What EVTCHNOP_status reports (struct evtchn_status's OUT fields).</summary>
public struct EventChannelStatus
{
    public const uint EVTCHNSTAT_closed = 0;
    public const uint EVTCHNSTAT_unbound = 1;
    public const uint EVTCHNSTAT_interdomain = 2;
    public const uint EVTCHNSTAT_pirq = 3;
    public const uint EVTCHNSTAT_virq = 4;
    public const uint EVTCHNSTAT_ipi = 5;

    public uint Status;
    public uint Vcpu;
    /// <summary>Unbound: the domain that may bind; interdomain: the peer.</summary>
    public int RemoteDomain;
    /// <summary>Interdomain: the peer's port.</summary>
    public int RemotePort;
    /// <summary>Virq: its number.</summary>
    public int Virq;
}
