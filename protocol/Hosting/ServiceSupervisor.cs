using System.Diagnostics;
using Micro.Protocol.Os;

namespace Micro.Protocol.Hosting;

/// <summary>
/// The supervisor's side of <see cref="ServiceHost"/>: starts service processes with
/// <c>MICRO_CONTROL_SOCKET</c> pointing at its own listener (in a fresh private directory), accepts only
/// the connection whose SO_PEERCRED pid is the process it just started, checks the Hello, and returns a
/// <see cref="SupervisedService"/> to hand capabilities to, ping, stop, and watch for death.
/// Starts are serialized, so each accepted connection can be matched to exactly one child.
/// </summary>
public sealed class ServiceSupervisor : IDisposable
{
    private readonly string _directory;
    private readonly UnixListener _listener;
    private readonly Lock _starting = new();

    public string SocketPath => _listener.Path;

    /// <summary>Connections refused because they did not come from the process being started.</summary>
    public int RefusedConnections { get; private set; }

    public ServiceSupervisor()
    {
        _directory = Directory.CreateTempSubdirectory("micro-supervisor-").FullName;
        _listener = UnixListener.Bind(Path.Combine(_directory, "control"));
    }

    /// <summary>
    /// Starts the program in <paramref name="startInfo"/> (its own stdio settings are kept) and waits for its
    /// Hello. On any failure the child is killed and the error says what went wrong.
    /// </summary>
    public SupervisedService Start(ProcessStartInfo startInfo, int timeoutMs = 30_000)
    {
        lock (_starting)
        {
            startInfo.UseShellExecute = false;
            startInfo.Environment[ServiceHost.ControlSocketVariable] = SocketPath;
            startInfo.Environment.Remove(ServiceHost.ControlFdVariable);
            var process = Process.Start(startInfo) ?? throw new IOException($"could not start {startInfo.FileName}");
            PidFd? pidfd = null;
            ControlChannel? control = null;
            try
            {
                pidfd = PidFd.Open(process.Id);
                control = new ControlChannel(AcceptFrom(_listener, pidfd, timeoutMs, _ => RefusedConnections++));
                string name = ReceiveHello(control, process.Id, timeoutMs);
                return new SupervisedService(name, process, pidfd, control);
            }
            catch
            {
                control?.Dispose();
                if (pidfd is not null && !pidfd.WaitForExit(0))
                    pidfd.Signal(LibC.SIGKILL);
                pidfd?.Dispose();
                process.Dispose();
                throw;
            }
        }
    }

    /// <summary>
    /// Accepts the connection of the process behind <paramref name="pidfd"/>, authenticated by its SO_PEERCRED
    /// pid; connections from anyone else are closed and reported to <paramref name="refused"/>. Throws
    /// IOException when the process exits first, TimeoutException after <paramref name="timeoutMs"/> (-1: none).
    /// Every supervisor of service processes (this one, the core's) accepts through here.
    /// </summary>
    public static UnixSocket AcceptFrom(UnixListener listener, PidFd pidfd, int timeoutMs, Action<PeerCredentials>? refused = null)
    {
        var deadline = Stopwatch.StartNew();
        Span<int> fds = [listener.Fd, pidfd.Fd];
        while (true)
        {
            int left = timeoutMs < 0 ? -1 : Math.Max(0, timeoutMs - (int)deadline.ElapsedMilliseconds);
            int ready = Poll.WaitAny(fds, left);
            if (ready == 1)
                throw new IOException($"service process {pidfd.Pid} exited before connecting to its supervisor");
            if (ready < 0)
                throw new TimeoutException($"service process {pidfd.Pid} did not connect within {timeoutMs} ms");
            var socket = listener.Accept(0);
            if (socket is null)
                continue;
            var peer = socket.Peer;
            if (peer.Pid == pidfd.Pid)
                return socket;
            // Someone else found the socket: not the child we started, so not a service of ours.
            socket.Dispose();
            refused?.Invoke(peer);
        }
    }

    private static string ReceiveHello(ControlChannel control, int pid, int timeoutMs)
    {
        Span<int> fds = stackalloc int[ControlMessage.MaxFds];
        var status = control.Receive(out var hello, fds, timeoutMs);
        if (status != ReceiveStatus.Message)
            throw new IOException($"service process {pid} sent no Hello ({status})");
        if (hello.Kind != ControlKind.Hello)
            throw new PeerProtocolException($"service process {pid} sent {hello.Kind} instead of Hello");
        if (hello.Argument != (ulong)pid)
            throw new PeerProtocolException($"service process {pid} says it is pid {hello.Argument}");
        return hello.Text;
    }

    public void Dispose()
    {
        _listener.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // best effort: a leftover empty directory in /tmp is harmless
        }
    }
}
