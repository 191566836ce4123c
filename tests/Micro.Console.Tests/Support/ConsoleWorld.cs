using System.Diagnostics;
using System.Text;
using Micro.Console.Clients;
using Micro.Console.Consoles;
using Micro.Protocol.Hosting;
using Micro.Protocol.Os;
using Micro.Protocol.Xen;
using Micro.Testing;

namespace Micro.Console.Tests.Support;

/// <summary>
/// A stand-in for the core around a real micro-consoled process: it owns the console pages (memfds) and
/// eventfds, hands them to the daemon as capabilities under a real <see cref="ServiceSupervisor"/> (again after
/// every restart, as the core does), and to guest peer processes over a Unix socket.
/// </summary>
public sealed class ConsoleWorld : IDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly ServiceSupervisor _supervisor = new();
    private readonly List<Pages> _pages = [];
    private readonly List<ChildProcess> _guests = [];
    private readonly StringBuilder _stderr = new();
    private string[] _args = [];

    public string Dir { get; }
    public string LogDir => Path.Combine(Dir, "logs");
    public string AttachPath => Path.Combine(Dir, "attach.sock");
    public SupervisedService? Daemon { get; private set; }

    /// <summary>Everything the daemon has written to stderr, across restarts.</summary>
    public string DaemonStderr { get { lock (_stderr) return _stderr.ToString(); } }

    public ConsoleWorld()
    {
        Dir = Path.Combine(Path.GetTempPath(), "micro-console-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Dir);
    }

    /// <summary>A console page with its two eventfds, as the core would create for a domain.</summary>
    public sealed unsafe class Pages(int domid, SourceKind kind) : IDisposable
    {
        public int Domid { get; } = domid;
        public SourceKind Kind { get; } = kind;
        public SharedMemory Page { get; } = SharedMemory.Create($"console-{domid}", 4096);
        public EventFd Kick { get; } = EventFd.Create();
        public EventFd Notify { get; } = EventFd.Create();
        public XenConsInterface* View => (XenConsInterface*)Page.Pointer;
        public XenConsoleRing Ring => new(Page.Pointer);
        public string Prefix => $"{(Kind == SourceKind.Console ? "console" : "uart")}/{Domid}";

        public void Dispose()
        {
            Page.Dispose();
            Kick.Dispose();
            Notify.Dispose();
        }
    }

    public Pages AddConsole(int domid, SourceKind kind = SourceKind.Console)
    {
        var p = new Pages(domid, kind);
        _pages.Add(p);
        return p;
    }

    /// <summary>Starts micro-consoled and hands it every console page; waits until it serves.</summary>
    public SupervisedService StartDaemon(params string[] args)
    {
        _args = args;
        return Restart();
    }

    /// <summary>Starts the daemon again with the same arguments and pages (after a kill, as the core would).</summary>
    public SupervisedService Restart()
    {
        Daemon?.Dispose();
        var psi = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "micro-consoled.dll"));
        foreach (string a in (string[])["--log-dir", LogDir, "--socket", AttachPath, .. _args])
            psi.ArgumentList.Add(a);
        var daemon = _supervisor.Start(psi, (int)Timeout.TotalMilliseconds);
        daemon.Process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_stderr) _stderr.AppendLine(e.Data); };
        daemon.Process.OutputDataReceived += (_, _) => { };
        daemon.Process.BeginErrorReadLine();
        daemon.Process.BeginOutputReadLine();
        foreach (var p in _pages)
        {
            daemon.GiveMemory(p.Prefix + "/page", p.Page);
            daemon.GiveEventFd(p.Prefix + "/kick", p.Kick);
            daemon.GiveEventFd(p.Prefix + "/notify", p.Notify);
        }
        daemon.Ready();
        Daemon = daemon;
        Assert.Equal("ok", daemon.Ping((int)Timeout.TotalMilliseconds));
        return daemon;
    }

    /// <summary>SIGKILL to the daemon (only the pid started here) and waits for its death.</summary>
    public void KillDaemon()
    {
        Daemon!.Kill();
        Assert.NotNull(Daemon.WaitForExit((int)Timeout.TotalMilliseconds));
    }

    /// <summary>Starts a guest peer process on <paramref name="pages"/>: micro-console-guestpeer MODE PATH ARGS.</summary>
    public ChildProcess StartGuest(Pages pages, string mode, params string[] args)
    {
        string path = Path.Combine(Dir, $"guest-{_guests.Count}.sock");
        using var listener = UnixListener.Bind(path);
        var guest = ChildProcess.Dotnet(Path.Combine(AppContext.BaseDirectory, "micro-console-guestpeer.dll"), [mode, path, .. args]);
        _guests.Add(guest);
        using var socket = listener.Accept((int)Timeout.TotalMilliseconds) ?? throw new TimeoutException($"guest peer did not connect\n{guest.Stderr}");
        using var control = new ControlChannel(socket);
        control.Send(ControlKind.Memory, (ulong)pages.Page.Length, "page", [pages.Page.Fd]);
        control.Send(ControlKind.EventFd, 0, "kick", [pages.Kick.Fd]);
        control.Send(ControlKind.EventFd, 0, "notify", [pages.Notify.Fd]);
        control.Send(ControlKind.Ready, 3);
        return guest;
    }

    /// <summary>Hands <paramref name="pages"/> to a running daemon over its provisioning socket; returns how many it accepted.</summary>
    public static ulong Provision(string socket, Pages pages)
    {
        using var control = new ControlChannel(UnixSocket.Connect(socket));
        control.Send(ControlKind.Memory, (ulong)pages.Page.Length, pages.Prefix + "/page", [pages.Page.Fd]);
        control.Send(ControlKind.EventFd, 0, pages.Prefix + "/kick", [pages.Kick.Fd]);
        control.Send(ControlKind.EventFd, 0, pages.Prefix + "/notify", [pages.Notify.Fd]);
        control.Send(ControlKind.Ready, 3);
        Span<int> fds = stackalloc int[ControlMessage.MaxFds];
        Assert.Equal(ReceiveStatus.Message, control.Receive(out var reply, fds, (int)Timeout.TotalMilliseconds));
        Assert.Equal(ControlKind.Ready, reply.Kind);
        return reply.Argument;
    }

    public string LogPath(string name) => Path.Combine(LogDir, $"guest-{name}.log");

    public byte[] ReadLog(string name)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return File.Exists(LogPath(name)) ? File.ReadAllBytes(LogPath(name)) : [];
            }
            catch (EndOfStreamException) when (attempt < 100)
            {
                Thread.Sleep(1); // a restarted daemon cut the log's unrecorded tail while it was being read
            }
        }
    }

    /// <summary>Waits until the log holds at least <paramref name="length"/> bytes; returns it.</summary>
    public byte[] WaitForLog(string name, int length)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var log = ReadLog(name);
            if (log.Length >= length)
                return log;
            if (clock.Elapsed > Timeout)
                throw new TimeoutException($"{LogPath(name)} has {log.Length} of {length} bytes\ndaemon:\n{DaemonStderr}");
            Thread.Sleep(10);
        }
    }

    /// <summary>Waits until the daemon's stderr contains <paramref name="text"/>.</summary>
    public void WaitForStderr(string text)
    {
        var clock = Stopwatch.StartNew();
        while (!DaemonStderr.Contains(text, StringComparison.Ordinal))
        {
            if (clock.Elapsed > Timeout)
                throw new TimeoutException($"daemon never said '{text}'\ndaemon:\n{DaemonStderr}");
            Thread.Sleep(10);
        }
    }

    public ConsoleAttachment Attach(int domid, bool wantInput = false) => ConsoleAttachment.Open(AttachPath, domid, wantInput);

    /// <summary>The deterministic bytes a guest peer writes for <paramref name="seed"/>.</summary>
    public static byte[] Expected(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    public void Dispose()
    {
        foreach (var g in _guests)
            g.Dispose();
        if (Daemon is not null && !Daemon.HasExited)
            Daemon.Kill();
        Daemon?.Dispose();
        _supervisor.Dispose();
        foreach (var p in _pages)
            p.Dispose();
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
            // a file still held by a dying process; the temp dir is cleaned by the system
        }
    }
}
