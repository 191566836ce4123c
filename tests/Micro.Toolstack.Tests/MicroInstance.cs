using Micro.Testing;
using Micro.Toolstack.Management;
using Micro.XenStore.Client;

namespace Micro.Toolstack.Tests;

/// <summary>
/// A running Micro for a test: <c>micro-core daemon</c> in its own run directory (as <c>./micro up</c>
/// starts it), with the toolstack's and xenstored's sockets, a management client and the CLI.
/// Disposing stops the core with SIGTERM (the child is killed if it does not stop) and removes the directory.
/// </summary>
public sealed class MicroInstance : IDisposable
{
    public string RunDir { get; }
    public ChildProcess Core { get; }
    public string ToolstackSocket => Path.Combine(RunDir, "toolstack", "socket");
    public string XenStoreSocket => Path.Combine(RunDir, "xenstored", "socket");

    public static string Build(string project, string assembly)
    {
        string config = AppContext.BaseDirectory.Contains("/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";
        string dll = Path.Combine(Requirements.RepoRoot(), project, "bin", config, "net10.0", assembly + ".dll");
        if (!File.Exists(dll))
            throw new InvalidOperationException($"{dll} is missing: build {project}");
        return dll;
    }

    /// <param name="baseDir">Where the run directory goes (default: the temp directory); xenstored keeps its durable state there.</param>
    public MicroInstance(string? baseDir = null)
    {
        Requirements.Kvm();
        RunDir = Path.Combine(baseDir ?? Path.GetTempPath(), "micro-toolstack-" + Guid.NewGuid().ToString("N")[..12]);
        Core = ChildProcess.Dotnet(Build("kernel/hosted", "micro-core"), ["daemon", "--run-dir", RunDir, "--root", Requirements.RepoRoot()]);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!File.Exists(ToolstackSocket))
        {
            if (Core.HasExited || DateTime.UtcNow > deadline)
            {
                string output = Core.Stdout + Core.Stderr;
                Core.Dispose();
                throw new InvalidOperationException($"Micro did not come up in {RunDir}:\n{output}");
            }
            Thread.Sleep(20);
        }
    }

    public ManagementClient Client() => ManagementClient.Connect(ToolstackSocket);

    public XenStoreClient XenStore() => XenStoreClient.Connect(XenStoreSocket);

    /// <summary>Runs the micro CLI as its own process against this instance.</summary>
    public (int ExitCode, string Stdout, string Stderr) Cli(params string[] args)
    {
        using var cli = ChildProcess.Dotnet(Build("services/toolstack", "micro-toolstack"), args,
            new Dictionary<string, string> { ["MICRO_TOOLSTACK_SOCKET"] = ToolstackSocket, ["MICRO_RUN_DIR"] = RunDir });
        int code = cli.WaitForExit(TimeSpan.FromSeconds(60));
        return (code, cli.Stdout, cli.Stderr);
    }

    /// <summary>A configuration file in the run directory.</summary>
    public string Config(string name, string text)
    {
        string path = Path.Combine(RunDir, name + ".cfg");
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Stops the core as <c>./micro down</c> does; returns its exit code.</summary>
    public int Stop(TimeSpan timeout)
    {
        if (Core.HasExited)
            return Core.WaitForExit(TimeSpan.Zero);
        Core.Signal(15);
        return Core.WaitForExit(timeout);
    }

    public void Dispose()
    {
        try
        {
            Stop(TimeSpan.FromSeconds(20));
        }
        catch (TimeoutException)
        {
            // WaitForExit killed it
        }
        Core.Dispose();
        for (int attempt = 0; attempt < 5 && Directory.Exists(RunDir); attempt++)
        {
            try
            {
                Directory.Delete(RunDir, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Thread.Sleep(100); // a service still finishing its last write
            }
        }
    }

    public static void WaitUntil(Func<bool> condition, TimeSpan timeout, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"not within {timeout.TotalSeconds} s: {describe()}");
            Thread.Sleep(10);
        }
    }
}
