using Micro.Toolstack.Config;

namespace Micro.Toolstack.Daemon;

/// <summary>What the toolstack knows about one domain it created.</summary>
public sealed class DomainRecord(ushort domid, DomainConfig config, string uuid, string configJson, string consoleLog)
{
    public ushort Domid { get; } = domid;
    public DomainConfig Config { get; } = config;
    public string Uuid { get; } = uuid;
    public string ConfigJson { get; } = configJson;
    public string ConsoleLog { get; } = consoleLog;
    public DateTime Created { get; } = DateTime.UtcNow;

    /// <summary>The core's view (a <see cref="MicroHvmParam"/> state value), refreshed by the monitor.</summary>
    public ulong State { get; set; } = MicroHvmParam.Built;

    /// <summary>Set once the on_* action for its shutdown has been taken (preserve keeps it listed).</summary>
    public bool Handled { get; set; }

    /// <summary>xl's six state flags: r running, b blocked, p paused, s shut down, c crashed, d dying.</summary>
    public string Flags => (State & 0xFF) switch
    {
        MicroHvmParam.Running => "r-----",
        MicroHvmParam.Paused or MicroHvmParam.Built => "--p---",
        MicroHvmParam.Shutdown when ShutdownReason == 3 => "----c-",
        MicroHvmParam.Shutdown => "---s--",
        _ => "------",
    };

    /// <summary>Xen's SHUTDOWN_* reason once shut down (0 poweroff, 1 reboot, 2 suspend, 3 crash, 4 watchdog).</summary>
    public int ShutdownReason => (int)((State >> 8) & 0xFF);
}
