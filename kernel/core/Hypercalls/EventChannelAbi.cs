namespace Micro.Core.Hypercalls;

/// <summary>EVTCHNOP_* sub-ops and their argument structs (xen/include/public/event_channel.h).</summary>
public static class EventChannelAbi
{
    public const int EVTCHNOP_bind_interdomain = 0;
    public const int EVTCHNOP_bind_virq = 1;
    public const int EVTCHNOP_bind_pirq = 2;
    public const int EVTCHNOP_close = 3;
    public const int EVTCHNOP_send = 4;
    public const int EVTCHNOP_status = 5;
    public const int EVTCHNOP_alloc_unbound = 6;
    public const int EVTCHNOP_bind_ipi = 7;
    public const int EVTCHNOP_bind_vcpu = 8;
    public const int EVTCHNOP_unmask = 9;
    public const int EVTCHNOP_reset = 10;
    public const int EVTCHNOP_init_control = 11;
    public const int EVTCHNOP_expand_array = 12;
    public const int EVTCHNOP_set_priority = 13;
}

/// <summary>struct evtchn_alloc_unbound (8 bytes).</summary>
public struct EvtchnAllocUnbound
{
    public ushort dom;
    public ushort remote_dom;
    public uint port;
}

/// <summary>struct evtchn_bind_interdomain (12 bytes).</summary>
public struct EvtchnBindInterdomain
{
    public ushort remote_dom;
    public ushort pad;
    public uint remote_port;
    public uint local_port;
}

/// <summary>struct evtchn_bind_virq (12 bytes).</summary>
public struct EvtchnBindVirq
{
    public uint virq;
    public uint vcpu;
    public uint port;
}

/// <summary>struct evtchn_bind_ipi (8 bytes).</summary>
public struct EvtchnBindIpi
{
    public uint vcpu;
    public uint port;
}

/// <summary>struct evtchn_close, evtchn_send and evtchn_unmask: one port (4 bytes).</summary>
public struct EvtchnPort
{
    public uint port;
}

/// <summary>struct evtchn_status (24 bytes); the union at 16 holds dom (+port) or virq.</summary>
public struct EvtchnStatusArgs
{
    public ushort dom;
    public ushort pad;
    public uint port;
    public uint status;
    public uint vcpu;
    public uint u0;
    public uint u1;
}

/// <summary>struct evtchn_bind_vcpu (8 bytes).</summary>
public struct EvtchnBindVcpu
{
    public uint port;
    public uint vcpu;
}
