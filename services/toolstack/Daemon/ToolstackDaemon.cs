using System.Globalization;
using System.Text.Json;
using Micro.Protocol.Messages;
using Micro.Protocol.Os;
using Micro.Toolstack.Config;
using Micro.Toolstack.Management;
using Micro.XenStore.Client;

namespace Micro.Toolstack.Daemon;

/// <summary>
/// The toolstack domain: the only domain with domctl rights. Serves the micro CLI on a Unix socket,
/// builds domains from xl.cfg (core: create, RAM, entry, HVM params; xenstore: libxl's keys and
/// INTRODUCE), watches their state and takes their on_poweroff / on_reboot / on_crash actions. A
/// create that fails at any step undoes every step before it, so nothing is left half-created.
/// All domain operations are serialized under one lock.
/// </summary>
public sealed class ToolstackDaemon : IDisposable
{
    private const int MaxConnections = 64;
    private const int MaxRestartsPerMinute = 20;

    private readonly DaemonOptions _options;
    private readonly CoreLink _core;
    private readonly XenStoreClient? _xenstore;
    private readonly XenStoreDomains? _store;
    private readonly UnixListener _listener;
    private readonly Dictionary<ushort, DomainRecord> _domains = [];
    private readonly Dictionary<string, List<DateTime>> _restarts = new(StringComparer.Ordinal);
    private readonly object _lock = new();
    private int _connections;

    public ToolstackDaemon(DaemonOptions options)
    {
        _options = options;
        _core = CoreLink.Connect(options.ControlSocket);
        try
        {
            if (options.XenStoreSocket is not null)
            {
                _xenstore = XenStoreClient.Connect(options.XenStoreSocket);
                _store = new XenStoreDomains(_xenstore);
            }
            _listener = UnixListener.Bind(options.ListenSocket);
            File.SetUnixFileMode(options.ListenSocket, (UnixFileMode)0x1B6); // 0666: peers are checked by SO_PEERCRED
        }
        catch
        {
            _xenstore?.Dispose();
            _core.Dispose();
            throw;
        }
        Log($"toolstack is d{_core.Domid}; listening on {options.ListenSocket}");
    }

    private static void Log(string line) => Console.WriteLine(line);

    public void Run(CancellationToken stop)
    {
        var monitor = new Thread(() => Monitor(stop)) { IsBackground = true, Name = "toolstack monitor" };
        monitor.Start();
        while (!stop.IsCancellationRequested)
        {
            var socket = _listener.Accept(200);
            if (socket is null)
                continue;
            var peer = socket.Peer;
            if (peer.Uid != 0 && peer.Uid != _options.AllowUid)
            {
                Log($"refused a CLI connection from uid {peer.Uid} (pid {peer.Pid})");
                socket.Dispose();
                continue;
            }
            if (Interlocked.Increment(ref _connections) > MaxConnections)
            {
                Interlocked.Decrement(ref _connections);
                socket.Dispose();
                continue;
            }
            new Thread(() => Serve(socket, stop)) { IsBackground = true, Name = "toolstack client" }.Start();
        }
        monitor.Join();
        lock (_lock)
        {
            // Stopping the toolstack does not stop domains (as with xl); the core's daemon tears them down when it stops.
            Log($"stopping with {_domains.Count} domains");
        }
    }

    private void Serve(UnixSocket socket, CancellationToken stop)
    {
        using var _ = socket;
        byte[] buffer = new byte[ManagementCodec.MaxMessageBytes];
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var r = socket.Receive(buffer, Span<int>.Empty, 500);
                if (r.Status == ReceiveStatus.TimedOut)
                    continue;
                if (r.Status != ReceiveStatus.Message)
                    return;
                var request = ManagementCodec.DecodeRequest(buffer.AsMemory(0, r.Length), out ulong id, out string? error);
                var reply = request is null ? ManagementReply.Failure(error!) : Handle(request);
                socket.Send(ManagementCodec.Encode(reply, id));
            }
        }
        catch (Exception e) when (e is IOException or PeerProtocolException)
        {
            Log($"CLI connection: {e.Message}");
        }
        finally
        {
            Interlocked.Decrement(ref _connections);
        }
    }

    public ManagementReply Handle(ManagementRequest request)
    {
        lock (_lock)
        {
            try
            {
                return request.Verb switch
                {
                    ManagementVerb.Create => Create(request),
                    ManagementVerb.List => ManagementReply.Success([.. _domains.Values.OrderBy(d => d.Domid).Select(Info)]),
                    _ => PerDomain(request),
                };
            }
            catch (Exception e) when (e is IOException or CoreRefusedException or XenStoreException or TimeoutException)
            {
                return ManagementReply.Failure(e.Message);
            }
        }
    }

    private ManagementReply PerDomain(ManagementRequest request)
    {
        var d = Find(request.Target);
        if (d is null)
            return ManagementReply.Failure($"no domain '{request.Target}'");
        switch (request.Verb)
        {
            case ManagementVerb.Info:
                break;
            case ManagementVerb.Destroy:
                Destroy(d, "destroyed by request");
                return ManagementReply.Success(Info(d));
            case ManagementVerb.Pause:
                _core.CallOk(new DomainPause(d.Domid));
                break;
            case ManagementVerb.Unpause:
                _core.CallOk(new DomainUnpause(d.Domid));
                break;
            case ManagementVerb.Shutdown or ManagementVerb.Reboot:
                if (_store is null)
                    return ManagementReply.Failure("no xenstore: cannot ask the guest to shut down");
                _store.RequestShutdown(d.Domid, request.Verb == ManagementVerb.Shutdown ? "poweroff" : "reboot");
                break;
        }
        Refresh(d);
        return ManagementReply.Success(Info(d));
    }

    private DomainRecord? Find(string target)
    {
        if (ushort.TryParse(target, NumberStyles.None, CultureInfo.InvariantCulture, out ushort domid))
            return _domains.GetValueOrDefault(domid);
        return _domains.Values.FirstOrDefault(d => d.Config.Name == target);
    }

    private ManagementReply Create(ManagementRequest request)
    {
        var result = XlConfig.Parse(request.File.Length > 0 ? request.File : "<config>", request.Config ?? [], request.Overrides);
        string[] diagnostics = [.. result.Diagnostics.Select(d => d.ToString())];
        if (!result.Ok)
            return ManagementReply.Failure($"{request.File}: the configuration has errors", diagnostics);
        var config = result.Config!;
        if (_domains.Values.FirstOrDefault(d => d.Config.Name == config.Name) is { } existing)
            return ManagementReply.Failure($"a domain named '{config.Name}' already exists (domid {existing.Domid})", diagnostics);
        var image = DomainBuilder.Resolve(config, out string? error);
        if (image is null)
            return ManagementReply.Failure(error!, diagnostics);
        var record = Build(config, config.Uuid ?? Guid.NewGuid().ToString("D"), image, request.Paused);
        return new ManagementReply(true, "", diagnostics, [Info(record)]);
    }

    /// <summary>Creates, loads, announces and (unless paused) starts one domain; on any failure undoes it all and rethrows.</summary>
    private DomainRecord Build(DomainConfig config, string uuid, Micro.Guests.Runtime.GuestImage image, bool paused)
    {
        var (reply, fds) = _core.Call(new DomainCreate(config.Name, config.Memory, config.Vcpus));
        if (reply is not DomainCreateReply created)
        {
            ReceivedFds.Close(fds);
            throw new CoreRefusedException(new DomainCreate(config.Name, config.Memory, config.Vcpus), reply);
        }
        ushort domid = created.Domid;
        string json = JsonSerializer.Serialize(config, ConfigJson.Default.DomainConfig);
        var record = new DomainRecord(domid, config, uuid, json, Path.Combine(_options.ConsoleDir, $"d{domid}.log"));
        bool introduced = false;
        try
        {
            if (fds.Length != 1)
                throw new IOException($"the core sent {fds.Length} fds with domain {domid}; expected its RAM");
            ulong ram = (ulong)config.Memory << 20;
            DomainBuilder.Load(fds[0], ram, image);
            fds = [];
            _core.CallOk(new SetHvmParam(domid, MicroHvmParam.Entry, image.Entry));
            ulong storePfn = DomainBuilder.StorePfn(ram), consolePfn = DomainBuilder.ConsolePfn(ram);
            uint storePort = AllocPort(domid, _options.StoreDomid ?? _core.Domid);
            uint consolePort = AllocPort(domid, _options.ConsoleDomid ?? _core.Domid);
            _core.CallOk(new SetHvmParam(domid, 1 /* STORE_PFN */, storePfn));
            _core.CallOk(new SetHvmParam(domid, 2 /* STORE_EVTCHN */, storePort));
            _core.CallOk(new SetHvmParam(domid, 17 /* CONSOLE_PFN */, consolePfn));
            _core.CallOk(new SetHvmParam(domid, 18 /* CONSOLE_EVTCHN */, consolePort));
            _domains[domid] = record;
            if (_store is not null)
            {
                introduced = true;
                _store.Introduce(record, storePfn, storePort, consolePfn, consolePort);
            }
            if (!paused)
                _core.CallOk(new DomainUnpause(domid));
            Refresh(record);
            Log($"created d{domid} '{config.Name}' ({config.Memory} MiB, {config.Vcpus} vcpus, {config.Kernel}){(paused ? ", paused" : "")}");
            return record;
        }
        catch (Exception e) when (e is IOException or CoreRefusedException or XenStoreException or TimeoutException or ArgumentException)
        {
            Log($"create of '{config.Name}' failed at d{domid}: {e.Message}; undoing");
            ReceivedFds.Close(fds);
            _domains.Remove(domid);
            if (introduced)
                _store!.Release(domid, uuid, Log);
            TryCore(new DomainDestroy(domid));
            throw;
        }
    }

    private uint AllocPort(ushort domid, ushort remote)
    {
        var (reply, fds) = _core.Call(new EvtchnAllocUnbound(domid, remote));
        ReceivedFds.Close(fds);
        return reply is EvtchnPortReply p ? p.Port : throw new CoreRefusedException(new EvtchnAllocUnbound(domid, remote), reply);
    }

    private void Destroy(DomainRecord d, string why)
    {
        _domains.Remove(d.Domid);
        _store?.Release(d.Domid, d.Uuid, Log);
        TryCore(new DomainDestroy(d.Domid));
        Log($"d{d.Domid} '{d.Config.Name}': {why}");
    }

    private void TryCore(Message request)
    {
        try
        {
            _core.CallOk(request);
        }
        catch (Exception e) when (e is IOException or CoreRefusedException)
        {
            Log(e.Message);
        }
    }

    private void Refresh(DomainRecord d)
    {
        var (reply, fds) = _core.Call(new GetHvmParam(d.Domid, MicroHvmParam.State));
        ReceivedFds.Close(fds);
        if (reply is HvmParamReply state)
            d.State = state.Value;
    }

    /// <summary>Polls each domain's state and applies on_poweroff / on_reboot / on_crash when it has shut down.</summary>
    private void Monitor(CancellationToken stop)
    {
        while (!stop.WaitHandle.WaitOne(50))
        {
            lock (_lock)
            {
                foreach (var d in _domains.Values.ToList())
                {
                    try
                    {
                        Refresh(d);
                        if ((d.State & 0xFF) == MicroHvmParam.Shutdown && !d.Handled)
                            OnShutdown(d);
                    }
                    catch (Exception e) when (e is IOException or CoreRefusedException or XenStoreException or TimeoutException or ArgumentException)
                    {
                        Log($"d{d.Domid}: {e.Message}");
                    }
                }
            }
        }
    }

    private void OnShutdown(DomainRecord d)
    {
        d.Handled = true;
        var (reason, action) = d.ShutdownReason switch
        {
            0 => ("poweroff", d.Config.OnPoweroff),
            1 => ("reboot", d.Config.OnReboot),
            2 => ("suspend", ShutdownAction.Preserve),
            _ => ("crash", d.Config.OnCrash),
        };
        string effective = ShutdownAction.Effective(action);
        Log($"d{d.Domid} '{d.Config.Name}': {reason}; on_{reason} = {action}");
        switch (effective)
        {
            case ShutdownAction.Destroy:
                Destroy(d, $"{reason}: destroyed");
                break;
            case ShutdownAction.Restart:
                Destroy(d, $"{reason}: restarting");
                if (TooManyRestarts(d.Config.Name))
                {
                    Log($"'{d.Config.Name}' restarted {MaxRestartsPerMinute} times within a minute; not restarting again");
                    break;
                }
                var image = DomainBuilder.Resolve(d.Config, out string? error);
                if (image is null)
                    Log($"cannot restart '{d.Config.Name}': {error}");
                else
                    Build(d.Config, d.Uuid, image, paused: false);
                break;
            default: // preserve: kept, shut down, until destroyed
                break;
        }
    }

    private bool TooManyRestarts(string name)
    {
        var now = DateTime.UtcNow;
        if (!_restarts.TryGetValue(name, out var times))
            _restarts[name] = times = [];
        times.RemoveAll(t => now - t > TimeSpan.FromMinutes(1));
        times.Add(now);
        return times.Count > MaxRestartsPerMinute;
    }

    private static DomainStatus Info(DomainRecord d) =>
        new(d.Domid, d.Config.Name, d.Uuid, d.Config.Memory, d.Config.Vcpus, d.Flags, (DateTime.UtcNow - d.Created).TotalSeconds, d.ConsoleLog, d.ConfigJson);

    public void Dispose()
    {
        _listener.Dispose();
        _xenstore?.Dispose();
        _core.Dispose();
    }
}
