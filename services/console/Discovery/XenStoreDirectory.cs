using System.Globalization;
using Micro.Protocol.Os;
using Micro.XenStore.Client;

namespace Micro.Console.Discovery;

/// <summary>
/// Console discovery the way xenconsoled does it: watch <c>/local/domain</c> and <c>@releaseDomain</c>; a domain
/// has a console to serve when <c>/local/domain/N/console/ring-ref</c> and <c>.../port</c> exist and
/// <c>.../type</c> is absent or <c>xenconsoled</c> (<c>ioemu</c> consoles belong to the device model); its log is
/// named after <c>/local/domain/N/name</c>. A domain whose console keys or whole subtree went away is released.
/// Watch events only mark the view stale (they arrive on the client's thread); the daemon's loop rescans.
/// If xenstored goes away the consoles already served keep going, and the daemon reconnects once a second.
/// </summary>
public sealed class XenStoreDirectory : DomainDirectory
{
    private readonly string _socket;
    private readonly Action<string> _say;
    private readonly EventFd _changed = EventFd.Create();
    private readonly Dictionary<int, string> _consoles = [];
    private readonly List<int> _released = [];
    private XenStoreClient? _client;
    private long _lastAttempt = long.MinValue;
    private volatile bool _stale = true;

    public XenStoreDirectory(string socket, Action<string> say)
    {
        _socket = socket;
        _say = say;
        Connect();
    }

    public override int Fd => _changed.Fd;

    /// <summary>While disconnected, the loop wakes once a second to reconnect.</summary>
    public override int RefreshTimeoutMs => _client is { Connected: true } ? -1 : 1000;

    /// <summary>Domains with a console right now, with their names (for tests and health).</summary>
    public IReadOnlyDictionary<int, string> Known => _consoles;

    private void Connect()
    {
        _lastAttempt = Environment.TickCount64;
        try
        {
            var client = XenStoreClient.Connect(_socket);
            client.Watch("/local/domain", "consoled-domains", Changed);
            client.Watch("@releaseDomain", "consoled-release", Changed);
            _client = client;
            _stale = true;
            _say($"xenstore: watching /local/domain and @releaseDomain at {_socket}");
        }
        catch (Exception e) when (e is IOException or TimeoutException or XenStoreException)
        {
            _say($"xenstore: {e.Message}; retrying");
        }
    }

    private void Changed(XsWatchEvent _)
    {
        _stale = true;
        _changed.Signal();
    }

    public override void Refresh()
    {
        _changed.TryConsume();
        if (_client is null || !_client.Connected)
        {
            if (Environment.TickCount64 - _lastAttempt < 1000)
                return;
            _client?.Dispose();
            _client = null;
            Connect();
            if (_client is null)
                return;
        }
        if (!_stale)
            return;
        _stale = false;
        try
        {
            Rescan(_client);
        }
        catch (Exception e) when (e is IOException or TimeoutException or XenStoreException)
        {
            _stale = true;
            _say($"xenstore: rescan failed: {e.Message}");
        }
    }

    private void Rescan(XenStoreClient xs)
    {
        var seen = new Dictionary<int, string>();
        IReadOnlyList<string> domains;
        try
        {
            domains = xs.Directory("/local/domain");
        }
        catch (XenStoreException)
        {
            domains = [];
        }
        foreach (string entry in domains)
        {
            if (!int.TryParse(entry, NumberStyles.None, CultureInfo.InvariantCulture, out int domid) || !DomainIds.IsValid(domid) || entry != domid.ToString(CultureInfo.InvariantCulture))
                continue;
            string path = $"/local/domain/{domid}";
            string? type = xs.TryReadString(path + "/console/type");
            if (xs.TryReadString(path + "/console/ring-ref") is null || xs.TryReadString(path + "/console/port") is null || (type is not null && type != "xenconsoled"))
                continue;
            string? name = xs.TryReadString(path + "/name");
            seen[domid] = string.IsNullOrEmpty(name) ? $"d{domid}" : name;
        }
        foreach (int domid in _consoles.Keys)
        {
            if (!seen.ContainsKey(domid))
                _released.Add(domid);
        }
        _consoles.Clear();
        foreach (var (domid, name) in seen)
            _consoles[domid] = name;
    }

    public override string? ConsoleName(int domid) => _consoles.GetValueOrDefault(domid);

    public override IReadOnlyList<int> TakeReleased()
    {
        if (_released.Count == 0)
            return [];
        var released = _released.ToArray();
        _released.Clear();
        return released;
    }

    public override void Dispose()
    {
        _client?.Dispose();
        _changed.Dispose();
        base.Dispose();
    }
}
