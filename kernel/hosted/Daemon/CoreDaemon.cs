using System.Globalization;
using System.Runtime.InteropServices;
using Micro.Core.Domains;
using Micro.Kernel.Core;
using Micro.Kernel.Domains;
using Micro.Kernel.Kvm;
using Micro.Kernel.Supervision;

namespace Micro.Kernel.Daemon;

/// <summary>
/// <c>micro-core daemon</c>: the core with every service domain around it. Starts xenstored, consoled
/// (when built) and the toolstack as supervised, sandboxed processes (each its own uid, one shared gid
/// so they can reach each other's sockets), serves the toolstack's domain control, publishes the
/// services' state, and on SIGTERM stops the services with SIGTERM, destroys every domain and removes
/// its sockets and pid file.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public static partial class CoreDaemon
{
    public const string Usage = "usage: micro-core daemon --run-dir DIR --root REPO [--allow-uid UID]";

    /// <summary>The services' uids (one each) and their shared gid.</summary>
    public const uint XenStoreUid = 60201, ConsoleUid = 60202, ToolstackUid = 60203, ServiceGid = 60200;

    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    public static int Run(string[] args)
    {
        string? runDir = null, root = null, allowUid = null;
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--run-dir": runDir = args[i + 1]; break;
                case "--root": root = args[i + 1]; break;
                case "--allow-uid": allowUid = args[i + 1]; break;
                default:
                    Console.Error.WriteLine($"micro-core daemon: unknown option '{args[i]}'\n{Usage}");
                    return 2;
            }
        }
        if (runDir is null || root is null || args.Length % 2 != 0 || (allowUid is not null && !uint.TryParse(allowUid, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        var layout = new DaemonLayout(Path.GetFullPath(runDir));
        using var stop = new ManualResetEventSlim();
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Set(); });
        using var intr = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Set(); });
        return Serve(layout, Path.GetFullPath(root), allowUid, stop);
    }

    public static int Serve(DaemonLayout layout, string root, string? allowUid, ManualResetEventSlim stop)
    {
        Umask(0x2); // group-writable: the services share ServiceGid, so they can connect to each other's sockets
        Prepare(layout);
        File.WriteAllText(layout.PidFile, Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        var log = new KernelLog(Console.Out);
        using var core = new HostedCore(log);
        using var kvm = new KvmSystem();
        using var xenstoreDomain = new ServiceDomainLink(core, ServiceRole.XenStore);
        using var consoleDomain = new ServiceDomainLink(core, ServiceRole.Console);
        using var toolstack = new ToolstackLink(core, kvm, layout.ConsoleDir);
        var supervisor = new ServiceSupervisor(layout.ControlDir, log);
        try
        {
            string dotnet = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
            var records = new List<ServiceRecord>
            {
                supervisor.Start(Spec("xenstored", dotnet, [Dll(root, "services/xenstore", "micro-xenstored"), "--socket", layout.XenStoreSocket, "--state-dir", layout.XenStoreState, "--ring-socket", Path.Combine(layout.XenStoreDir, "rings")], XenStoreUid, xenstoreDomain)),
            };
            WaitFor(layout.XenStoreSocket, TimeSpan.FromSeconds(30), log);
            OpenToGroup(layout.XenStoreSocket);
            string consoled = Dll(root, "services/console", "micro-consoled");
            if (File.Exists(consoled))
                records.Add(supervisor.Start(Spec("consoled", dotnet, [consoled, "--log-dir", layout.ConsoledDir, "--xenstore", layout.XenStoreSocket], ConsoleUid, consoleDomain)));
            else
                log.Write($"consoled is not built ({consoled}); running without it");
            var toolstackArgs = new List<string>
            {
                Dll(root, "services/toolstack", "micro-toolstack"), "daemon", "--control", "{socket}", "--listen", layout.ToolstackSocket,
                "--console-dir", layout.ConsoleDir, "--xenstore", layout.XenStoreSocket,
                "--store-domid", xenstoreDomain.Domain.Id.ToString(CultureInfo.InvariantCulture), "--console-domid", consoleDomain.Domain.Id.ToString(CultureInfo.InvariantCulture),
            };
            if (allowUid is not null)
                toolstackArgs.AddRange(["--allow-uid", allowUid]);
            records.Add(supervisor.Start(Spec("toolstack", dotnet, toolstackArgs, ToolstackUid, toolstack)));
            WaitFor(layout.ToolstackSocket, TimeSpan.FromSeconds(30), log);
            log.Write($"micro-core daemon: up; toolstack at {layout.ToolstackSocket}, xenstored at {layout.XenStoreSocket}, consoles in {layout.ConsoleDir}");

            string last = "";
            while (!stop.Wait(200))
            {
                ServiceStatusFile.Write(layout.ServicesStatus, supervisor.Records, ref last);
                OpenToGroup(layout.XenStoreSocket); // again after a restart of xenstored
            }
            log.Write("micro-core daemon: stopping");
            StopServices(supervisor, records, log);
            return 0;
        }
        finally
        {
            supervisor.Dispose();
            File.Delete(layout.ServicesStatus);
            File.Delete(layout.PidFile);
            log.Write($"micro-core daemon: stopped ({toolstack.DomainCount} domains left to destroy)");
        }
    }

    private static ServiceSpec Spec(string name, string dotnet, IReadOnlyList<string> args, uint uid, ServiceRequestHandler handler) =>
        new(name, dotnet, args, uid, ServiceGid, handler) { InitialBackoff = TimeSpan.FromMilliseconds(500) };

    private static string Dll(string root, string project, string assembly) => Path.Combine(root, project, "bin", "Release", "net10.0", assembly + ".dll");

    /// <summary>The run directory and one directory per service, owned by that service (when the core runs as root).</summary>
    private static void Prepare(DaemonLayout layout)
    {
        Directory.CreateDirectory(layout.RunDir);
        File.SetUnixFileMode(layout.RunDir, (UnixFileMode)0x1ED); // 0755
        foreach (var (dir, uid) in new[] { (layout.XenStoreDir, XenStoreUid), (layout.ConsoledDir, ConsoleUid), (layout.ToolstackDir, ToolstackUid), (layout.ConsoleDir, 0u) })
        {
            Directory.CreateDirectory(dir);
            File.SetUnixFileMode(dir, (UnixFileMode)0x1FD); // 0775
            if (Sandbox.IsRoot && uid != 0 && Chown(dir, uid, ServiceGid) != 0)
                throw new IOException($"chown {dir}: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    private static void WaitFor(string path, TimeSpan timeout, KernelLog log)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!File.Exists(path))
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{path} did not appear within {timeout.TotalSeconds:0} s (see the log above)");
            Thread.Sleep(20);
        }
        log.Write($"micro-core daemon: {path} is up");
    }

    /// <summary>
    /// xenstored makes its socket 0600, as Xen's does for dom0's root; here the toolstack and consoled are
    /// other uids of the services' group, so the core opens the socket to that group.
    /// </summary>
    private static void OpenToGroup(string socket)
    {
        const UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;
        try
        {
            if (File.GetUnixFileMode(socket) != mode)
                File.SetUnixFileMode(socket, mode);
        }
        catch (Exception e) when (e is FileNotFoundException or IOException or UnauthorizedAccessException)
        {
            // Not there (xenstored restarting): the next round opens it.
        }
    }

    /// <summary>SIGTERM to every service at once, then wait (bounded) until each has exited; the supervisor's dispose kills stragglers.</summary>
    private static void StopServices(ServiceSupervisor supervisor, List<ServiceRecord> records, KernelLog log)
    {
        foreach (var r in records)
            supervisor.Signal(r, 15);
        var deadline = DateTime.UtcNow + StopTimeout;
        while (records.Exists(r => r.Pid != 0) && DateTime.UtcNow < deadline)
            Thread.Sleep(5);
        foreach (var r in records.Where(r => r.Pid != 0))
            log.Write($"{r.Name}: did not stop within {StopTimeout.TotalSeconds:0} s; killing it");
    }

    [LibraryImport("libc", EntryPoint = "umask")]
    private static partial uint Umask(uint mask);

    [LibraryImport("libc", EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Chown(string path, uint uid, uint gid);
}
