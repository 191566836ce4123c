using System.Collections.Concurrent;
using Micro.XenStore.Wire;

namespace Micro.XenStore.Client;

/// <summary>
/// Watches. Events of a watch registered with a callback run that callback on the client's callback
/// thread (so a callback may itself use the client); all other events wait in a queue for
/// <see cref="NextEvent"/>. The daemon fires every new watch once at once, as xenstored does.
/// </summary>
public sealed partial class XenStoreClient
{
    private readonly BlockingCollection<XsWatchEvent> _events = [];
    private readonly BlockingCollection<(Action<XsWatchEvent> Callback, XsWatchEvent Event)> _callbackQueue = [];
    private readonly Dictionary<string, Action<XsWatchEvent>> _callbacks = new(StringComparer.Ordinal);
    private readonly HashSet<(string Path, string Token)> _watches = [];
    private Thread? _callbackThread;

    /// <summary>Gets an exception thrown by a watch callback (default: written to stderr).</summary>
    public Action<Exception>? CallbackFailed { get; set; }

    /// <summary>Watches <paramref name="path"/> and everything below it; events go to <see cref="NextEvent"/>.</summary>
    public void Watch(string path, string token)
    {
        lock (_lock)
            _watches.Add((path, token));
        try
        {
            Request(XsMessageType.XS_WATCH, XsPayload.Join([path, token]));
        }
        catch
        {
            ForgetWatch(path, token);
            throw;
        }
    }

    /// <summary>
    /// Watches <paramref name="path"/> with events for <paramref name="token"/> delivered to
    /// <paramref name="callback"/> (one callback per token; the last one registered wins).
    /// </summary>
    public void Watch(string path, string token, Action<XsWatchEvent> callback)
    {
        lock (_lock)
        {
            _callbacks[token] = callback;
            if (_callbackThread is null)
            {
                _callbackThread = new Thread(CallbackLoop) { IsBackground = true, Name = "xenstore-watch-callbacks" };
                _callbackThread.Start();
            }
        }
        Watch(path, token);
    }

    public void Unwatch(string path, string token)
    {
        Request(XsMessageType.XS_UNWATCH, XsPayload.Join([path, token]));
        ForgetWatch(path, token);
    }

    /// <summary>XS_RESET_WATCHES: drops every watch (and open transaction) of this connection.</summary>
    public void ResetWatches()
    {
        Request(XsMessageType.XS_RESET_WATCHES, [0]);
        lock (_lock)
        {
            _watches.Clear();
            _callbacks.Clear();
        }
    }

    /// <summary>The next queued watch event; <see cref="TimeoutException"/> if none comes in time.</summary>
    public XsWatchEvent NextEvent(TimeSpan timeout)
    {
        if (TryNextEvent(timeout, out var ev))
            return ev;
        if (_events.IsCompleted)
            throw new IOException("xenstore connection is closed");
        throw new TimeoutException($"no watch event within {timeout.TotalSeconds:0.###} s");
    }

    /// <summary>Takes the next queued watch event, waiting up to <paramref name="timeout"/>.</summary>
    public bool TryNextEvent(TimeSpan timeout, out XsWatchEvent ev) => _events.TryTake(out ev, timeout);

    /// <summary>Events queued and not yet taken.</summary>
    public int PendingEvents => _events.Count;

    private void ForgetWatch(string path, string token)
    {
        lock (_lock)
        {
            _watches.Remove((path, token));
            foreach (var (_, t) in _watches)
            {
                if (t == token)
                    return;
            }
            _callbacks.Remove(token);
        }
    }

    private void OnWatchEvent(byte[] payload)
    {
        var parts = XsPayload.Strings(payload, 2);
        if (parts is null)
        {
            Close("xenstored sent a malformed watch event");
            return;
        }
        var ev = new XsWatchEvent(parts[0], parts[1]);
        Action<XsWatchEvent>? callback;
        lock (_lock)
            _callbacks.TryGetValue(ev.Token, out callback);
        try
        {
            if (callback is not null)
                _callbackQueue.Add((callback, ev));
            else
                _events.Add(ev);
        }
        catch (InvalidOperationException)
        {
            // closed meanwhile
        }
    }

    private void CallbackLoop()
    {
        foreach (var (callback, ev) in _callbackQueue.GetConsumingEnumerable())
        {
            try
            {
                callback(ev);
            }
#pragma warning disable CA1031 // a failing callback must not end the delivery of other events
            catch (Exception e)
#pragma warning restore CA1031
            {
                if (CallbackFailed is { } report)
                    report(e);
                else
                    Console.Error.WriteLine($"xenstore watch callback for token '{ev.Token}' failed: {e}");
            }
        }
    }

    private void CloseEvents()
    {
        _events.CompleteAdding();
        _callbackQueue.CompleteAdding();
    }

    private void StopCallbacks()
    {
        var thread = _callbackThread;
        if (thread is not null && Thread.CurrentThread != thread)
            thread.Join(TimeSpan.FromSeconds(5));
        _events.Dispose();
        _callbackQueue.Dispose();
    }
}
