using System.Diagnostics;
using Micro.Console.Clients;
using Micro.Console.Consoles;
using Micro.Console.Discovery;
using Micro.Console.Logging;
using Micro.Console.Provisioning;
using Micro.Protocol.Hosting;
using Micro.Protocol.Os;

namespace Micro.Console.Daemon;

/// <summary>
/// xenconsoled: one thread polls every source's kick eventfd, the attach socket and its clients, the
/// provisioning socket, and the xenstore watch; it drains consoles into their logs and clients, and moves
/// client input into the guests' in rings. Nothing here blocks on a peer: clients are written without
/// waiting, and rate-limited consoles are looked at again when their period ends.
/// </summary>
public sealed unsafe class ConsoleDaemon : IDisposable
{
    private readonly ConsoleOptions _options;
    private readonly Dictionary<int, GuestConsole> _consoles = [];
    private readonly List<ConsoleClient> _clients = [];
    private readonly List<ProvisionConnection> _provisioners = [];
    private readonly ConsolePages _pages = new();
    private readonly UnixListener _attach;
    private readonly UnixListener? _provision;
    private readonly EventFd _wake = EventFd.Create();
    private readonly DomainDirectory _directory;
    private readonly Action<string> _say;
    private readonly byte[] _packet = new byte[AttachMessage.MaxPacket + 1];

    public IReadOnlyDictionary<int, GuestConsole> Consoles => _consoles;

    public ConsoleDaemon(ConsoleOptions options, DomainDirectory directory, Action<string> say)
    {
        _options = options;
        _directory = directory;
        _say = say;
        Directory.CreateDirectory(options.LogDir);
        _attach = Bind(options.AttachSocket);
        try
        {
            _provision = options.ProvisionSocket is null ? null : Bind(options.ProvisionSocket);
        }
        catch
        {
            _attach.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Binds a socket only its owner and group may use: console clients can read everything a guest prints and
    /// type into it, so the socket is not left to the umask.
    /// </summary>
    private static UnixListener Bind(string path)
    {
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } dir)
            Directory.CreateDirectory(dir);
        File.Delete(path); // a socket left by a killed predecessor
        var listener = UnixListener.Bind(path);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
        return listener;
    }

    /// <summary>Takes the console capabilities a supervisor handed over at start; others are left alone.</summary>
    public void AddCapabilities(IReadOnlyList<Capability> capabilities)
    {
        foreach (var c in capabilities)
        {
            if (!CapabilityName.TryParse(c.Name, out var name, out string error))
            {
                if (c.Name.StartsWith("console/", StringComparison.Ordinal) || c.Name.StartsWith("uart/", StringComparison.Ordinal))
                    _say($"capability refused: {error}");
                continue;
            }
            try
            {
                if (c.Kind == ControlKind.Memory)
                    _pages.AddPage(name, c.MapMemory());
                else if (c.Kind == ControlKind.EventFd)
                    _pages.AddEventFd(name, c.OpenEventFd());
                else
                    _say($"capability {name} refused: it is a {c.Kind}");
            }
            catch (Exception e) when (e is IOException or ArgumentException or PeerProtocolException)
            {
                _say($"capability {name} refused: {e.Message}");
            }
        }
    }

    /// <summary>Serves until <paramref name="stop"/> is cancelled.</summary>
    public void Run(CancellationToken stop)
    {
        using var _ = stop.Register(_wake.Signal);
        bool first = true;
        while (!stop.IsCancellationRequested)
        {
            Turn(first);
            first = false;
        }
    }

    private static long Now => Stopwatch.GetTimestamp() * 1000 / Stopwatch.Frequency;

    /// <summary>One loop turn: admit new consoles, wait for something to happen, handle it.</summary>
    internal void Turn(bool serviceAll)
    {
        Admit();
        var actions = new List<Action>();
        var fds = new List<LibC.PollFd>();
        void Watch(int fd, short events, Action action)
        {
            fds.Add(new LibC.PollFd { Fd = fd, Events = events });
            actions.Add(action);
        }
        Watch(_wake.Fd, LibC.POLLIN, () => _wake.TryConsume());
        Watch(_attach.Fd, LibC.POLLIN, AcceptClient);
        if (_provision is not null)
            Watch(_provision.Fd, LibC.POLLIN, AcceptProvisioner);
        if (_directory.Fd >= 0)
            Watch(_directory.Fd, LibC.POLLIN, () => { });
        foreach (var p in _provisioners)
            Watch(p.Channel.Socket.Fd, LibC.POLLIN, () => { if (!p.Receive(_pages, _say)) DropProvisioner(p); });
        long timeout = _directory.RefreshTimeoutMs;
        long now = Now;
        foreach (var console in _consoles.Values)
        {
            if (serviceAll)
                console.Service(now);
            if (console.RetryAt != 0)
            {
                long wait = Math.Max(0, console.RetryAt - now);
                timeout = timeout < 0 ? wait : Math.Min(timeout, wait);
            }
            foreach (var source in console.Sources)
            {
                var s = source;
                Watch(s.Kick.Fd, LibC.POLLIN, () =>
                {
                    if (s.Kick.Fd < 0)
                        return; // dropped by an earlier action of this turn
                    s.Kick.TryConsume();
                    Pending(console);
                });
            }
        }
        CloseClients(); // before watching them: a closed client's fd must not be polled
        foreach (var client in _clients)
            Watch(client.Socket.Fd, (short)(LibC.POLLIN | (client.HasQueued ? LibC.POLLOUT : 0)), () => ServeClient(client));

        var set = stackalloc LibC.PollFd[fds.Count];
        for (int i = 0; i < fds.Count; i++)
            set[i] = fds[i];
        int n = LibC.Poll(set, (nuint)fds.Count, (int)Math.Clamp(timeout, -1, int.MaxValue));
        if (n < 0 && LibC.Errno != LibC.EINTR)
            throw new IOException($"poll: {LibC.Describe(LibC.Errno)}");
        _pendingConsoles.Clear();
        if (n > 0)
        {
            for (int i = 0; i < fds.Count; i++)
            {
                if (set[i].Revents != 0)
                    actions[i]();
            }
        }
        _directory.Refresh();
        now = Now;
        foreach (var console in _consoles.Values)
        {
            if (_pendingConsoles.Contains(console) || (console.RetryAt != 0 && now >= console.RetryAt))
                console.Service(now);
        }
        Release();
        CloseClients();
    }

    private readonly HashSet<GuestConsole> _pendingConsoles = [];

    private void Pending(GuestConsole console) => _pendingConsoles.Add(console);

    /// <summary>Starts serving the complete sources of domains the directory says have consoles.</summary>
    private void Admit()
    {
        foreach (int domid in _pages.CompleteDomains)
        {
            string? name = _directory.ConsoleName(domid);
            if (name is null)
                continue;
            if (!_consoles.TryGetValue(domid, out var console))
            {
                ConsoleLog log;
                try
                {
                    log = ConsoleLog.Open(_options.LogDir, ConsoleLog.SafeName(name), _options.Sync, _say);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    _say($"d{domid} ({name}): cannot open its log: {e.Message}; its console is not served");
                    _pages.Forget(domid);
                    continue;
                }
                console = new GuestConsole(domid, name, log, new RateLimit(_options.RateAllowance, _options.RatePeriodMs), _options.Backlog, _say);
                _consoles[domid] = console;
                _say($"{console}: serving, log {log.Path}");
            }
            foreach (var source in _pages.Take(domid))
                console.AddSource(source);
            console.Service(Now);
        }
    }

    /// <summary>Stops serving domains the directory says are gone.</summary>
    private void Release()
    {
        foreach (int domid in _directory.TakeReleased())
        {
            _pages.Forget(domid);
            if (_consoles.Remove(domid, out var console))
            {
                console.Service(Now); // what the guest wrote before it went
                _say($"{console}: domain released, console closed ({console.Log.Length} bytes logged)");
                console.Dispose();
            }
        }
    }

    private void AcceptClient()
    {
        var socket = _attach.Accept(0);
        if (socket is not null)
            _clients.Add(new ConsoleClient(socket, _options.ClientBuffer));
    }

    private void AcceptProvisioner()
    {
        var socket = _provision!.Accept(0);
        if (socket is null)
            return;
        var peer = socket.Peer;
        if (peer.Uid != 0 && peer.Uid != LibC.GetEuid())
        {
            _say($"provisioning: refused a connection from pid {peer.Pid} uid {peer.Uid}");
            socket.Dispose();
            return;
        }
        _provisioners.Add(new ProvisionConnection(new ControlChannel(socket)));
    }

    private void DropProvisioner(ProvisionConnection p)
    {
        _provisioners.Remove(p);
        p.Dispose();
    }

    private void ServeClient(ConsoleClient client)
    {
        if (client.CloseReason is not null)
            return; // closed by an earlier action of this turn; its socket goes at the end of the turn
        client.Flush();
        var received = Received.TimedOut;
        try
        {
            received = client.Socket.Receive(_packet, [], 0);
        }
        catch (PeerProtocolException e)
        {
            client.Close($"protocol error: {e.Message}");
            return;
        }
        catch (IOException e)
        {
            client.Close(e.Message);
            return;
        }
        if (received.Status == ReceiveStatus.Closed)
        {
            client.Close("client detached");
            return;
        }
        if (received.Status != ReceiveStatus.Message)
            return;
        var packet = _packet.AsSpan(0, received.Length);
        if (!AttachMessage.TryDecodeClient(packet, out var kind, out int domid, out bool wantInput, out string error))
        {
            client.Close($"protocol error: {error}");
            return;
        }
        if (kind == AttachKind.Attach)
        {
            if (client.Console is not null)
                client.Close("protocol error: attach sent twice");
            else if (!_consoles.TryGetValue(domid, out var console))
                client.Close($"no console for domain {domid}");
            else
                console.Attach(client, wantInput);
        }
        else if (client.Console is null)
        {
            client.Close("protocol error: input before attach");
        }
        else
        {
            client.Console.Input(client, packet[1..]);
        }
    }

    private void CloseClients()
    {
        for (int i = _clients.Count - 1; i >= 0; i--)
        {
            var client = _clients[i];
            if (client.CloseReason is null)
                continue;
            _clients.RemoveAt(i);
            if (client.Console is { } console)
            {
                if (client.CloseReason != "client detached")
                    _say($"{console}: {client} disconnected: {client.CloseReason}");
                console.Detach(client);
            }
            client.Dispose();
        }
    }

    public void Dispose()
    {
        foreach (var console in _consoles.Values)
            console.Dispose();
        _consoles.Clear();
        foreach (var client in _clients)
            client.Dispose();
        foreach (var p in _provisioners)
            p.Dispose();
        _pages.Dispose();
        _attach.Dispose();
        _provision?.Dispose();
        _directory.Dispose();
        _wake.Dispose();
    }
}
