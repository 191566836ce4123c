using System.Diagnostics;
using Micro.Kernel.Domains;
using Micro.Protocol.Os;

namespace Micro.Kernel.Supervision;

/// <summary>
/// Starts each service as its own sandboxed process, hands it its capabilities over its control
/// socket, notices its death at once (a thread waits on the child), and restarts it with exponential
/// backoff. Keeps a <see cref="ServiceRecord"/> per service. Only pids it started are ever signalled.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")] // Unix file modes of the socket directory
public sealed partial class ServiceSupervisor : IDisposable
{
    private readonly string _runDir;
    private readonly KernelLog _log;
    private readonly List<(ServiceRecord Record, Thread Thread)> _services = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly object _lock = new();
    private readonly Dictionary<string, Process> _running = [];

    /// <param name="runDir">A directory for the services' control sockets (created, readable by the services).</param>
    public ServiceSupervisor(string runDir, KernelLog log)
    {
        _runDir = runDir;
        _log = log;
        Directory.CreateDirectory(runDir);
        File.SetUnixFileMode(runDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
    }

    public IReadOnlyList<ServiceRecord> Records
    {
        get { lock (_lock) return _services.ConvertAll(s => s.Record); }
    }

    public ServiceRecord Start(ServiceSpec spec)
    {
        var record = new ServiceRecord(spec);
        var thread = new Thread(() => Supervise(record)) { IsBackground = true, Name = "supervise " + spec.Name };
        lock (_lock)
            _services.Add((record, thread));
        thread.Start();
        return record;
    }

    /// <summary>Sends <paramref name="signal"/> to the current instance of a service (fault injection, tests).</summary>
    public bool Signal(ServiceRecord record, int signal)
    {
        lock (_lock)
        {
            if (!_running.TryGetValue(record.Name, out var p) || p.HasExited)
                return false;
            return Kill(p.Id, signal) == 0;
        }
    }

    private void Supervise(ServiceRecord record)
    {
        var spec = record.Spec;
        string socketPath = Path.Combine(_runDir, spec.Name + ".sock");
        using var listener = UnixListener.Bind(socketPath);
        File.SetUnixFileMode(socketPath, (UnixFileMode)0x1B6); // 0666: the service's own uid connects; the pid check authenticates
        var backoff = spec.InitialBackoff;
        while (!_stop.IsCancellationRequested)
        {
            var started = DateTime.UtcNow;
            Process process;
            try
            {
                process = Launch(spec, socketPath);
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
            {
                _log.Write($"{spec.Name}: cannot start: {e.Message}");
                record.Exited("failed to start: " + e.Message, restarting: true);
                if (_stop.Token.WaitHandle.WaitOne(backoff))
                    return;
                backoff = Next(backoff, spec);
                continue;
            }
            record.Started(process.Id);
            _log.Write($"{spec.Name}: started as pid {process.Id} (uid {spec.Uid})");
            using var instanceEnded = new CancellationTokenSource();
            PidFd? pidfd = null;
            try
            {
                pidfd = PidFd.Open(process.Id);
            }
            catch (IOException e)
            {
                _log.Write($"{spec.Name}: pid {process.Id} ended before it could be watched: {e.Message}");
            }
            var channel = new Thread(() => Connect(record, listener, pidfd, instanceEnded.Token)) { IsBackground = true, Name = spec.Name + " channel" };
            channel.Start();

            process.WaitForExit();
            // The channel thread uses the listener and the connection: end it before either goes away
            // (a child the service forked could otherwise hold the connection open).
            instanceEnded.Cancel();
            channel.Join();
            pidfd?.Dispose();
            string reason = process.ExitCode > 128 ? $"killed by signal {process.ExitCode - 128}" : $"exit code {process.ExitCode}";
            lock (_lock)
                _running.Remove(spec.Name);
            process.Dispose();
            bool restarting = !_stop.IsCancellationRequested;
            record.Exited(reason, restarting);
            _log.Write($"{spec.Name}: {reason}{(restarting ? $"; restarting in {backoff.TotalMilliseconds:0} ms" : "")}");
            if (!restarting)
                return;
            if (DateTime.UtcNow - started >= spec.StableAfter)
                backoff = spec.InitialBackoff;
            if (_stop.Token.WaitHandle.WaitOne(backoff))
                return;
            backoff = Next(backoff, spec);
        }
    }

    private static TimeSpan Next(TimeSpan backoff, ServiceSpec spec) => backoff * 2 > spec.MaxBackoff ? spec.MaxBackoff : backoff * 2;

    private Process Launch(ServiceSpec spec, string socketPath)
    {
        var args = spec.Args.Select(a => a.Replace("{socket}", socketPath, StringComparison.Ordinal));
        var (fileName, wrapped) = Sandbox.Wrap(spec.Program, args, spec.Uid, spec.Gid);
        var psi = new ProcessStartInfo(fileName) { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in wrapped)
            psi.ArgumentList.Add(a);
        psi.Environment["HOME"] = "/nonexistent";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        lock (_lock)
        {
            var p = Process.Start(psi) ?? throw new InvalidOperationException($"{fileName} did not start");
            // What a service prints is logged under its name (bounded per line by the log's reader).
            p.OutputDataReceived += (_, e) => { if (e.Data is not null) _log.Write($"{spec.Name}[{p.Id}]: {e.Data}"); };
            p.ErrorDataReceived += (_, e) => { if (e.Data is not null) _log.Write($"{spec.Name}[{p.Id}]: {e.Data}"); };
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            _running[spec.Name] = p;
            return p;
        }
    }

    /// <summary>Accepts the instance's connection (only from its pid, as every supervisor does) and serves it.</summary>
    private void Connect(ServiceRecord record, UnixListener listener, PidFd? pidfd, CancellationToken instanceEnded)
    {
        if (pidfd is null)
            return;
        try
        {
            using var socket = Micro.Protocol.Hosting.ServiceSupervisor.AcceptFrom(listener, pidfd, -1,
                peer => _log.Write($"{record.Name}: refused a connection from pid {peer.Pid} (uid {peer.Uid}); expected pid {pidfd.Pid}"));
            record.Connected();
            using var ended = instanceEnded.Register(socket.Shutdown);
            var channel = new ServiceChannel(record, socket, _log);
            record.Channel = channel;
            try
            {
                channel.Serve();
            }
            finally
            {
                record.Channel = null;
                channel.Dispose();
            }
        }
        catch (IOException e)
        {
            _log.Write($"{record.Name}: control channel: {e.Message}");
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        lock (_lock)
        {
            foreach (var p in _running.Values)
            {
                if (!p.HasExited)
                    Kill(p.Id, 9);
            }
        }
        List<Thread> threads;
        lock (_lock)
            threads = _services.ConvertAll(s => s.Thread);
        foreach (var t in threads)
            t.Join(TimeSpan.FromSeconds(5));
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int sig);
}
