using Micro.XenStore.Domains;
using Micro.XenStore.Persistence;
using Micro.XenStore.Service;
using Micro.XenStore.Transport;

namespace Micro.XenStore.Rings;

/// <summary>
/// The guest rings the store serves, one per introduced domain. A ring is offered (page and event
/// channel, by the core or its hosted stand-in <see cref="RingAttachListener"/>) and served once
/// its domain is introduced — in either order, and again after a store restart, when the domain's
/// watches, transaction counter and stream positions come back from the persisted state.
/// Runs on the event loop's thread only.
/// </summary>
public sealed class GuestRings : IDisposable
{
    private readonly XenStoreService _service;
    private readonly UnixSocketServer _server;
    private readonly PersistentState? _state;
    private readonly Dictionary<uint, GuestRing> _offered = [];
    private readonly Dictionary<uint, RingConnection> _served = [];

    public GuestRings(XenStoreService service, UnixSocketServer server, PersistentState? state)
    {
        _service = service;
        _server = server;
        _state = state;
        service.DomainIntroduced += OnIntroduced;
        service.DomainReleased += OnReleased;
    }

    public IReadOnlyDictionary<uint, RingConnection> Served => _served;

    /// <summary>Takes a domain's ring (owned from now on); false with a reason if it is refused.</summary>
    public bool Offer(GuestRing ring, out string? refusal)
    {
        if (_offered.ContainsKey(ring.DomId) || _served.ContainsKey(ring.DomId))
        {
            refusal = $"domain {ring.DomId} already has a ring";
            return false;
        }
        refusal = null;
        if (_service.Domains.ContainsKey(ring.DomId) && ring.DomId != 0)
            Serve(ring);
        else
            _offered[ring.DomId] = ring;
        return true;
    }

    private void OnIntroduced(Domain domain)
    {
        if (_offered.Remove(domain.DomId, out var ring))
            Serve(ring);
    }

    private void OnReleased(Domain domain)
    {
        if (_offered.Remove(domain.DomId, out var offered))
            offered.Dispose();
        if (_served.Remove(domain.DomId, out var conn))
        {
            _server.ExtraSources.RemoveAll(s => s.Fd == conn.Ring.Kick.Fd);
            if (!conn.Closed)
                _service.Remove(conn);
            conn.Ring.Dispose();
        }
    }

    private void Serve(GuestRing ring)
    {
        var conn = new RingConnection(ring);
        _service.Add(conn);
        _served[ring.DomId] = conn;
        _server.ExtraSources.Add((ring.Kick.Fd, () => OnKick(ring.DomId)));
        if (_state is not null)
            Restore(conn);
        Pump(conn);
    }

    /// <summary>Brings back what the domain's connection had before a store restart.</summary>
    private void Restore(RingConnection conn)
    {
        uint domid = conn.DomId;
        if (_state!.DomainTransactionIds.TryGetValue(domid, out uint nextTx))
        {
            conn.NextTransactionId = nextTx;
            conn.RestoredTransactionLimit = nextTx;
        }
        if (_state.RingPositions.TryGetValue(domid, out var saved) && !conn.Resume(saved, conn.Ring.ResponseProduced))
        {
            _service.Disconnect(conn);
            return;
        }
        if (_state.DomainWatches.TryGetValue(domid, out var watches))
        {
            foreach (var w in watches)
                _service.RestoreWatch(conn, w);
            XenStoreService.FireRestored(conn);
        }
    }

    private void OnKick(uint domid)
    {
        if (!_served.TryGetValue(domid, out var conn))
            return;
        conn.Ring.Kick.TryConsume();
        if (conn.Ring.ReconnectRequested)
        {
            Reconnect(conn);
            return;
        }
        if (!conn.Closed)
            Pump(conn);
    }

    private void Pump(RingConnection conn)
    {
        if (!conn.Pump(msg => _service.Handle(conn, msg)))
        {
            Console.Error.WriteLine($"micro-xenstored: {conn}: {conn.Fault}; connection closed");
            _service.Disconnect(conn);
        }
    }

    /// <summary>xenstore-ring.txt's reconnection: the old connection and all it held are dropped, the ring starts empty.</summary>
    private void Reconnect(RingConnection old)
    {
        if (!old.Closed)
            _service.Disconnect(old);
        old.Ring.Reset();
        var conn = new RingConnection(old.Ring);
        if (_state is not null && _state.DomainTransactionIds.TryGetValue(conn.DomId, out uint nextTx))
            conn.NextTransactionId = nextTx; // ids keep counting up: an id from before is never reused
        conn.MarkMoved();
        _service.Add(conn);
        _served[conn.DomId] = conn;
        conn.Ring.Notify.Signal();
    }

    /// <summary>Records where every ring that moved stands; runs just before the batch's group commit.</summary>
    public void RecordProgress()
    {
        if (_state is null)
            return;
        foreach (var conn in _served.Values)
        {
            if (!conn.Closed && conn.NeedsRecord)
                _state.RecordRingProgress(conn.Progress());
        }
    }

    /// <summary>After the commit: releases consumed requests, writes output, signals the guests.</summary>
    public void Flush()
    {
        foreach (var conn in _served.Values)
        {
            if (conn.Closed)
                continue;
            conn.Ring.PublishConsumed();
            bool wrote = conn.Flush();
            if (conn.Fault is not null)
            {
                Console.Error.WriteLine($"micro-xenstored: {conn}: {conn.Fault}; connection closed");
                _service.Disconnect(conn);
            }
            if (conn.TakeConsumedSignal() | wrote)
                conn.Ring.Notify.Signal();
        }
    }

    public void Dispose()
    {
        foreach (var ring in _offered.Values)
            ring.Dispose();
        foreach (var conn in _served.Values)
            conn.Ring.Dispose();
        _offered.Clear();
        _served.Clear();
    }
}
