namespace Micro.Kernel.Daemon;

/// <summary>
/// Where a running Micro keeps its sockets, logs and state, all under one run directory (the
/// <c>./micro up</c> default is <c>.build/run</c>). Paths are the contract with <c>./micro</c> and the CLI.
/// </summary>
public sealed record DaemonLayout(string RunDir)
{
    public string PidFile => Path.Combine(RunDir, "core.pid");
    public string ControlDir => Path.Combine(RunDir, "control");
    public string ConsoleDir => Path.Combine(RunDir, "console");
    public string XenStoreDir => Path.Combine(RunDir, "xenstored");
    public string XenStoreSocket => Path.Combine(XenStoreDir, "socket");
    public string XenStoreState => Path.Combine(XenStoreDir, "state");
    public string ConsoledDir => Path.Combine(RunDir, "consoled");
    public string ToolstackDir => Path.Combine(RunDir, "toolstack");
    public string ToolstackSocket => Path.Combine(ToolstackDir, "socket");
    public string ServicesStatus => Path.Combine(RunDir, "services.status");
}
