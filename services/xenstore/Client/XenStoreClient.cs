using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using Micro.XenStore.Transport;
using Micro.XenStore.Wire;

namespace Micro.XenStore.Client;

/// <summary>
/// A client of xenstored over Xen's Unix socket (found like libxenstore finds it: $XENSTORED_PATH,
/// else $XENSTORED_RUNDIR/socket). Thread-safe: any number of threads may issue requests at once;
/// each request carries its own req_id and a reader thread hands every reply to its waiter and every
/// watch event to the event queue or the watch's callback. Every request is bounded by
/// <see cref="Timeout"/>. Failures are precise: <see cref="XenStoreException"/> (the daemon's errno
/// name), <see cref="TimeoutException"/>, or <see cref="IOException"/> when the connection is gone or
/// the daemon broke the protocol.
/// </summary>
public sealed partial class XenStoreClient : IDisposable
{
    private readonly Socket _socket;
    private readonly object _sendLock = new();
    private readonly object _lock = new();
    private readonly Dictionary<uint, PendingReply> _pending = [];
    private readonly Thread _reader;
    private uint _nextReqId = 1;
    private string? _closedReason;

    private XenStoreClient(Socket socket, string path)
    {
        _socket = socket;
        SocketPath = path;
        _reader = new Thread(ReadLoop) { IsBackground = true, Name = "xenstore-client" };
        _reader.Start();
    }

    /// <summary>Connects to the daemon's socket (default: as libxenstore resolves it).</summary>
    public static XenStoreClient Connect(string? socketPath = null)
    {
        string path = socketPath ?? Transport.SocketPath.Resolve();
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new IOException($"cannot connect to xenstored at {path}: {e.SocketErrorCode}", e);
        }
        return new XenStoreClient(socket, path);
    }

    public string SocketPath { get; }

    /// <summary>How long a request waits for its reply.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>False once the connection is gone (daemon exit, protocol violation, dispose).</summary>
    public bool Connected
    {
        get
        {
            lock (_lock)
                return _closedReason is null;
        }
    }

    /// <summary>
    /// Sends one request and returns its reply payload; an XS_ERROR reply throws
    /// <see cref="XenStoreException"/>.
    /// </summary>
    public byte[] Request(XsMessageType type, ReadOnlySpan<byte> payload, uint txId = 0)
    {
        if (payload.Length > XsLimits.PayloadMax)
            throw new XenStoreException(XsError.E2BIG, Describe(type, payload));
        var pending = new PendingReply();
        uint reqId;
        lock (_lock)
        {
            if (_closedReason is not null)
                throw new IOException("xenstore connection is closed: " + _closedReason);
            reqId = _nextReqId++;
            _pending[reqId] = pending;
        }
        byte[] frame = XsMessage.Encode((uint)type, reqId, txId, payload);
        try
        {
            lock (_sendLock)
            {
                int sent = 0;
                while (sent < frame.Length)
                    sent += _socket.Send(frame, sent, frame.Length - sent, SocketFlags.None);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Forget(reqId);
            Close("send failed: " + e.Message);
            throw new IOException("xenstore connection lost while sending", e);
        }
        if (!pending.Wait(Timeout))
        {
            Forget(reqId);
            throw new TimeoutException($"xenstored did not answer {Describe(type, payload)} within {Timeout.TotalSeconds:0.###} s");
        }
        var reply = pending.Reply ?? throw new IOException("xenstore connection closed: " + pending.Failure);
        if (reply.Type == (uint)XsMessageType.XS_ERROR)
            throw new XenStoreException(ParseError(reply.Payload), Describe(type, payload));
        if (reply.Type != (uint)type)
            throw new IOException($"xenstored answered {Describe(type, payload)} with message type {reply.Type}");
        return reply.Payload;
    }

    private static XsError ParseError(byte[] payload)
    {
        string name = Encoding.ASCII.GetString(payload).TrimEnd('\0');
        if (Enum.TryParse(name, ignoreCase: false, out XsError err) && err != XsError.None && char.IsAsciiLetterUpper(name[0]))
            return err;
        throw new IOException($"xenstored sent an unknown error '{name}'");
    }

    private static string Describe(XsMessageType type, ReadOnlySpan<byte> payload)
    {
        int nul = payload.IndexOf((byte)0);
        var first = nul < 0 ? payload : payload[..nul];
        return $"{type} {Encoding.UTF8.GetString(first[..Math.Min(first.Length, 200)])}";
    }

    private void Forget(uint reqId)
    {
        lock (_lock)
            _pending.Remove(reqId);
    }

    private void ReadLoop()
    {
        var decoder = new XsFrameDecoder();
        byte[] buffer = new byte[64 * 1024];
        string reason;
        while (true)
        {
            int n;
            try
            {
                n = _socket.Receive(buffer);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                reason = "receive failed: " + e.Message;
                break;
            }
            if (n == 0)
            {
                reason = "xenstored closed the connection";
                break;
            }
            if (!decoder.Feed(buffer.AsSpan(0, n), OnMessage))
            {
                reason = "xenstored broke the protocol: " + decoder.Error;
                break;
            }
        }
        Close(reason);
    }

    private void OnMessage(XsMessage msg)
    {
        if (msg.Type == (uint)XsMessageType.XS_WATCH_EVENT)
        {
            OnWatchEvent(msg.Payload);
            return;
        }
        PendingReply? pending;
        lock (_lock)
        {
            if (!_pending.Remove(msg.ReqId, out pending))
                return; // its request timed out
        }
        pending.Complete(msg, null);
    }

    /// <summary>Marks the connection gone and fails every waiting request and event consumer.</summary>
    private void Close(string reason)
    {
        PendingReply[] waiting;
        lock (_lock)
        {
            if (_closedReason is not null)
                return;
            _closedReason = reason;
            waiting = [.. _pending.Values];
            _pending.Clear();
        }
        foreach (var p in waiting)
            p.Complete(null, reason);
        CloseEvents();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // already down
        }
    }

    public void Dispose()
    {
        Close("disposed");
        if (Thread.CurrentThread != _reader)
            _reader.Join(TimeSpan.FromSeconds(5));
        StopCallbacks();
        _socket.Dispose();
    }

    /// <summary>One request's wait for its reply (or for the connection's end).</summary>
    private sealed class PendingReply
    {
        private bool _done;

        public XsMessage? Reply { get; private set; }
        public string? Failure { get; private set; }

        public void Complete(XsMessage? reply, string? failure)
        {
            lock (this)
            {
                Reply = reply;
                Failure = failure;
                _done = true;
                Monitor.PulseAll(this);
            }
        }

        public bool Wait(TimeSpan timeout)
        {
            long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
            lock (this)
            {
                while (!_done)
                {
                    long left = deadline - Environment.TickCount64;
                    if (left <= 0 || !Monitor.Wait(this, (int)Math.Min(left, int.MaxValue)))
                        return _done;
                }
                return true;
            }
        }
    }
}
