namespace Micro.Core.Hypercalls;

/// <summary>SCHEDOP_* sub-ops and their argument structs (xen/include/public/sched.h).</summary>
public static class SchedAbi
{
    public const int SCHEDOP_yield = 0;
    public const int SCHEDOP_block = 1;
    public const int SCHEDOP_shutdown = 2;
    public const int SCHEDOP_poll = 3;
    public const int SCHEDOP_remote_shutdown = 4;
    public const int SCHEDOP_shutdown_code = 5;
    public const int SCHEDOP_watchdog = 6;

    /// <summary>Xen refuses polls of more ports than this.</summary>
    public const uint MaxPollPorts = 128;
}

/// <summary>struct sched_shutdown (4 bytes).</summary>
public struct SchedShutdown
{
    public uint reason;
}

/// <summary>struct sched_poll (24 bytes): a guest handle to evtchn_port_t[nr_ports] and an absolute timeout in ns.</summary>
public struct SchedPoll
{
    public ulong ports;
    public uint nr_ports;
    public uint pad;
    public ulong timeout;
}

/// <summary>struct sched_remote_shutdown (8 bytes).</summary>
public struct SchedRemoteShutdown
{
    public ushort domain_id;
    public ushort pad;
    public uint reason;
}
