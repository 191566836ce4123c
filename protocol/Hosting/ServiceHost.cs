using System.Globalization;
using System.Runtime.InteropServices;
using Micro.Protocol.Os;

namespace Micro.Protocol.Hosting;

/// <summary>
/// What every service process (xenstored, consoled, device models, ...) runs inside: it connects to its
/// supervisor, receives its capabilities, runs the service's loop, answers health pings, and stops cleanly.
///
/// How a service finds its supervisor (the core) in the hosted build:
/// <list type="bullet">
/// <item><c>MICRO_CONTROL_SOCKET=path</c>: connect to the supervisor's SOCK_SEQPACKET listener at that path
/// (what <see cref="ServiceSupervisor"/> does: the supervisor then checks, with SO_PEERCRED, that the
/// connection comes from the pid it started);</item>
/// <item><c>MICRO_CONTROL_FD=n</c>: an inherited, already connected SOCK_SEQPACKET socket;</item>
/// <item>neither: the service runs standalone (e.g. <c>./micro xenstored</c>), with no capabilities.</item>
/// </list>
/// The conversation (<see cref="ControlMessage"/>): the service sends Hello (its pid and name); the
/// supervisor sends one message per capability (memfds for rings, eventfds, event-channel pages) and then
/// Ready with their count. While the loop runs, a control thread answers Ping with Pong and the current
/// <see cref="Health"/>, and reports malformed messages back as Error without stopping. SIGTERM, a Stop
/// message, or the supervisor going away cancel <see cref="Stopping"/>; the loop returns, the service
/// flushes what it must, the host sends Stopped, and <see cref="Run"/> returns exit code 0.
/// </summary>
public sealed class ServiceHost : IDisposable
{
    public const string ControlSocketVariable = "MICRO_CONTROL_SOCKET";
    public const string ControlFdVariable = "MICRO_CONTROL_FD";

    private readonly CancellationTokenSource _stop = new();
    private readonly List<Capability> _capabilities = [];
    private readonly ControlChannel? _control;
    private volatile string _health = "ok";
    private Thread? _controlThread;
    private readonly PosixSignalRegistration _sigterm;
    private readonly PosixSignalRegistration _sigint;

    public string Name { get; }

    /// <summary>False when running standalone, without a supervisor.</summary>
    public bool Supervised => _control is not null;

    /// <summary>Cancelled when the service must stop (SIGTERM, Stop, or supervisor gone).</summary>
    public CancellationToken Stopping => _stop.Token;

    public IReadOnlyList<Capability> Capabilities => _capabilities;

    /// <summary>What the next health ping reports ("ok" unless the service says otherwise).</summary>
    public string Health
    {
        get => _health;
        set => _health = value;
    }

    private ServiceHost(string name, ControlChannel? control)
    {
        Name = name;
        _control = control;
        // From the start, not only in Run: a SIGTERM during the handshake or set-up must stop the service
        // cleanly too, not end it with the default action before it could flush.
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
    }

    /// <summary>
    /// Connects to the supervisor named in the environment (if any), says Hello, and receives capabilities until
    /// Ready. Fails with a precise message if the supervisor cannot be reached or sends something malformed.
    /// </summary>
    public static ServiceHost Start(string name, int timeoutMs = 30_000)
    {
        ControlChannel? control = Connect();
        var host = new ServiceHost(name, control);
        try
        {
            host.Handshake(timeoutMs);
        }
        catch
        {
            host.Dispose();
            throw;
        }
        return host;
    }

    private static ControlChannel? Connect()
    {
        string? path = Environment.GetEnvironmentVariable(ControlSocketVariable);
        if (!string.IsNullOrEmpty(path))
            return new ControlChannel(UnixSocket.Connect(path));
        string? fdText = Environment.GetEnvironmentVariable(ControlFdVariable);
        if (string.IsNullOrEmpty(fdText))
            return null;
        if (!int.TryParse(fdText, NumberStyles.None, CultureInfo.InvariantCulture, out int fd) || fd < 3)
            throw new IOException($"{ControlFdVariable}={fdText} is not an fd number above 2");
        return new ControlChannel(UnixSocket.Adopt(fd));
    }

    private void Handshake(int timeoutMs)
    {
        if (_control is null)
            return;
        _control.Send(ControlKind.Hello, (ulong)Environment.ProcessId, Name);
        Span<int> fds = stackalloc int[ControlMessage.MaxFds];
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (true)
        {
            int left = Math.Max(0, (int)(deadline - DateTime.UtcNow).TotalMilliseconds);
            var status = _control.Receive(out var message, fds, left);
            if (status == ReceiveStatus.TimedOut)
                throw new TimeoutException($"no Ready from the supervisor within {timeoutMs} ms ({_capabilities.Count} capabilities so far)");
            if (status == ReceiveStatus.Closed)
                throw new IOException("the supervisor closed the control socket before Ready");
            switch (message.Kind)
            {
                case ControlKind.Memory or ControlKind.EventFd or ControlKind.EventChannelReceiver or ControlKind.EventChannelNotifier:
                    var capability = new Capability(message, fds[..ControlMessage.FdCount(message.Kind)]);
                    if (_capabilities.Exists(c => c.Name == capability.Name))
                    {
                        capability.Dispose();
                        throw new PeerProtocolException($"capability '{message.Text}' was sent twice");
                    }
                    _capabilities.Add(capability);
                    break;
                case ControlKind.Ready when message.Argument == (ulong)_capabilities.Count:
                    return;
                case ControlKind.Ready:
                    throw new PeerProtocolException($"Ready announces {message.Argument} capabilities, {_capabilities.Count} arrived");
                case ControlKind.Ping:
                    _control.Send(ControlKind.Pong, message.Argument, "starting");
                    break;
                default:
                    throw new PeerProtocolException($"unexpected {message.Kind} before Ready");
            }
        }
    }

    /// <summary>The capability called <paramref name="name"/>; fails naming what is missing.</summary>
    public Capability Capability(string name)
        => _capabilities.Find(c => c.Name == name)
           ?? throw new InvalidOperationException($"service {Name} was not given capability '{name}' (it has: {string.Join(", ", _capabilities.Select(c => c.Name))})");

    /// <summary>
    /// Runs <paramref name="loop"/> until it returns; it should return soon after <see cref="Stopping"/> is
    /// cancelled (register wakeups on the token, e.g. an event-channel receiver's Interrupt). Returns the
    /// process exit code: 0 after a clean stop, 1 if the loop threw (the exception is reported on stderr).
    /// </summary>
    public int Run(Action<CancellationToken> loop)
    {
        if (_control is not null)
        {
            _controlThread = new Thread(ControlLoop) { IsBackground = true, Name = $"{Name} control" };
            _controlThread.Start();
        }
        int exitCode = 0;
        try
        {
            loop(_stop.Token);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Console.Error.WriteLine($"{Name}: loop failed: {e}");
            exitCode = 1;
        }
        if (exitCode == 0)
            TrySend(ControlKind.Stopped, 0, "");
        return exitCode;
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true; // we exit ourselves, after the loop has flushed
        _stop.Cancel();
    }

    /// <summary>Answers the supervisor until stop; nothing a supervisor sends can end it except Stop or closing the socket.</summary>
    private void ControlLoop()
    {
        Span<int> fds = stackalloc int[ControlMessage.MaxFds];
        while (!_stop.IsCancellationRequested)
        {
            ReceiveStatus status;
            ControlMessage message;
            try
            {
                status = _control!.Receive(out message, fds);
            }
            catch (PeerProtocolException e)
            {
                Console.Error.WriteLine($"{Name}: control: {e.Message}");
                TrySend(ControlKind.Error, 0, e.Message);
                continue;
            }
            catch (IOException e)
            {
                if (!_stop.IsCancellationRequested)
                    Console.Error.WriteLine($"{Name}: control socket failed: {e.Message}; stopping");
                _stop.Cancel();
                return;
            }
            if (status == ReceiveStatus.Closed && _stop.IsCancellationRequested)
                return; // our own shutdown
            if (status == ReceiveStatus.Closed)
            {
                // The rings and pages belong to the supervisor; without it this service has nothing to serve.
                Console.Error.WriteLine($"{Name}: supervisor closed the control socket; stopping");
                _stop.Cancel();
                return;
            }
            switch (message.Kind)
            {
                case ControlKind.Ping:
                    TrySend(ControlKind.Pong, message.Argument, _health);
                    break;
                case ControlKind.Stop:
                    _stop.Cancel();
                    break;
                default:
                    foreach (int fd in fds[..ControlMessage.FdCount(message.Kind)])
                        LibC.Close(fd);
                    string error = $"unexpected {message.Kind} while running";
                    Console.Error.WriteLine($"{Name}: control: {error}");
                    TrySend(ControlKind.Error, 0, error);
                    break;
            }
        }
    }

    private void TrySend(ControlKind kind, ulong argument, string text)
    {
        try
        {
            _control?.Send(kind, argument, text);
        }
        catch (IOException)
        {
            // The supervisor is gone; it will learn what it needs from our exit.
        }
    }

    public void Dispose()
    {
        _sigterm.Dispose();
        _sigint.Dispose();
        _stop.Cancel();
        _control?.Socket.Shutdown();
        _controlThread?.Join();
        _control?.Dispose();
        foreach (var c in _capabilities)
            c.Dispose();
        _stop.Dispose();
    }
}
