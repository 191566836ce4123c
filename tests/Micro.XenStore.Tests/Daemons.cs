using System.Diagnostics;
using Micro.Testing;

namespace Micro.XenStore.Tests;

/// <summary>
/// Starts a xenstored as a real process in a private temp dir: ours (micro-xenstored) or the
/// reference, Xen 4.17's C daemon, run without a hypervisor under this project's LD_PRELOAD shim.
/// Disposing kills the process (only the pid started here) and removes the dir.
/// </summary>
public sealed class Daemon : IDisposable
{
    public const string ReferenceBinary = "/usr/lib/xen-4.17/bin/xenstored";
    private static readonly object s_shimLock = new();
    private static string? s_shim;
    private readonly ChildProcess _process;

    private Daemon(string dir, ChildProcess process, string name)
    {
        Dir = dir;
        _process = process;
        Name = name;
        SocketPath = Path.Combine(dir, "socket");
        WaitForSocket();
    }

    public string Name { get; }
    public string Dir { get; }
    public string SocketPath { get; }

    /// <summary>Where guest rings are offered (ours only).</summary>
    public string RingSocket => System.IO.Path.Combine(Dir, "rings");
    public ChildProcess Process => _process;

    public static Daemon Ours(string? dir = null, params string[] extraArgs)
    {
        dir ??= NewDir("ours");
        string dll = Path.Combine(AppContext.BaseDirectory, "micro-xenstored.dll");
        var env = new Dictionary<string, string> { ["XENSTORED_RUNDIR"] = dir, ["XENSTORED_PATH"] = Path.Combine(dir, "socket") };
        return new Daemon(dir, ChildProcess.Dotnet(dll, ["-N", .. extraArgs], env), "ours");
    }

    public static Daemon Reference()
    {
        if (!File.Exists(ReferenceBinary))
            throw new InvalidOperationException($"{ReferenceBinary} is missing: install xen-utils-4.17 (ci/setup)");
        string dir = NewDir("ref");
        var env = new Dictionary<string, string>
        {
            ["XENSTORED_RUNDIR"] = dir,
            ["XENSTORED_PATH"] = Path.Combine(dir, "socket"),
            ["LD_PRELOAD"] = Shim(),
        };
        return new Daemon(dir, new ChildProcess(ReferenceBinary, ["-N", "-F", Path.Combine(dir, "pid")], env), "reference");
    }

    /// <summary>Compiles the shim once per test run into a temp dir (never committed as a binary).</summary>
    private static string Shim()
    {
        lock (s_shimLock)
        {
            if (s_shim is not null)
                return s_shim;
            string src = Path.Combine(Requirements.RepoRoot(), "tests", "Micro.XenStore.Tests", "shim", "xenstored-shim.c");
            string outDir = NewDir("shim");
            string so = Path.Combine(outDir, "xenstored-shim.so");
            using var gcc = new ChildProcess(Requirements.Tool("gcc"), ["-shared", "-fPIC", "-O2", "-Wall", "-Werror", "-o", so, src, "-ldl"]);
            int rc = gcc.WaitForExit(TimeSpan.FromSeconds(60));
            if (rc != 0)
                throw new InvalidOperationException("compiling the xenstored shim failed:\n" + gcc.Stderr);
            s_shim = so;
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                try
                {
                    Directory.Delete(outDir, recursive: true);
                }
                catch (IOException)
                {
                    // best effort
                }
            };
            return so;
        }
    }

    public static string NewDir(string tag)
    {
        string dir = Path.Combine(Path.GetTempPath(), $"micro-xs-{tag}-{Environment.ProcessId}-{Guid.NewGuid():N}"[..48]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    private void WaitForSocket()
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (File.Exists(SocketPath))
            {
                try
                {
                    using var c = new XsClient(SocketPath);
                    return;
                }
                catch (System.Net.Sockets.SocketException)
                {
                    // not listening yet
                }
            }
            if (_process.HasExited)
                throw new InvalidOperationException($"{Name} xenstored exited early\nstdout:\n{_process.Stdout}\nstderr:\n{_process.Stderr}");
            Thread.Sleep(20);
        }
        throw new TimeoutException($"{Name} xenstored did not create {SocketPath}\nstderr:\n{_process.Stderr}");
    }

    public XsClient Connect() => new(SocketPath);

    /// <summary>Runs a xenstore-* tool against this daemon; returns exit code, stdout and stderr.</summary>
    public (int Code, string Stdout, string Stderr) Tool(string tool, params string[] args)
    {
        var env = new Dictionary<string, string> { ["XENSTORED_PATH"] = SocketPath };
        using var p = new ChildProcess(Requirements.Tool(tool), args, env);
        int rc = p.WaitForExit(TimeSpan.FromSeconds(20));
        return (rc, p.Stdout, p.Stderr);
    }

    public void Kill() => _process.Kill();

    /// <summary>Leave the dir in place on dispose (a restarted daemon reuses it).</summary>
    public bool KeepDir { get; set; }

    public void Dispose()
    {
        _process.Dispose();
        if (KeepDir)
            return;
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }
}
