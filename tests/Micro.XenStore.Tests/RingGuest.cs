using System.Text;
using Micro.Protocol.Os;
using Micro.Protocol.Xen;
using Micro.XenStore.Wire;

namespace Micro.XenStore.Tests;

/// <summary>
/// The guest side of a xenstore ring, in this test process while the daemon runs as another: the page
/// (a sealed memfd) and both eventfds are created here and offered to the daemon over its ring socket,
/// as the core will do with a guest's granted page. Requests go out through the page only.
/// </summary>
public sealed unsafe class RingGuest : IDisposable
{
    private XsFrameDecoder _decoder = new();
    private readonly Queue<XsMessage> _received = new();
    private uint _nextReq = 1;

    public RingGuest(uint domid, SharedMemory? page = null, EventFd? kick = null, EventFd? notify = null)
    {
        DomId = domid;
        Page = page ?? SharedMemory.Create($"xs-ring-{domid}", 4096);
        Kick = kick ?? EventFd.Create();
        Notify = notify ?? EventFd.Create();
        Ring = new XenStoreRing(Page.Pointer);
    }

    public uint DomId { get; }
    public SharedMemory Page { get; }
    public EventFd Kick { get; }
    public EventFd Notify { get; }
    public XenStoreRing Ring { get; }
    public XenStoreInterface* Interface => (XenStoreInterface*)Page.Pointer;
    public List<string> Events { get; } = [];

    /// <summary>Offers the ring to the daemon; returns its answer ("OK" or "error: ...").</summary>
    public string Attach(string ringSocket, string? text = null, int[]? fds = null)
    {
        using var s = UnixSocket.Connect(ringSocket);
        s.Send(Encoding.ASCII.GetBytes(text ?? $"attach {DomId}"), fds ?? [Page.Fd, Kick.Fd, Notify.Fd]);
        var buf = new byte[256];
        var got = s.Receive(buf, [], timeoutMs: 10_000);
        return got.Status == ReceiveStatus.Message ? Encoding.ASCII.GetString(buf, 0, got.Length) : "no answer: " + got.Status;
    }

    public void Send(XsMessageType type, string payload, uint txId = 0) => Send(type, Encoding.UTF8.GetBytes(payload), txId);

    /// <summary>Writes a whole request, waiting for room as the daemon consumes.</summary>
    public void Send(XsMessageType type, byte[] payload, uint txId = 0)
    {
        byte[] frame = XsMessage.Encode((uint)type, _nextReq++, txId, payload);
        int sent = 0;
        long deadline = Environment.TickCount64 + 10_000;
        while (sent < frame.Length)
        {
            var r = Ring.WriteRequest(frame.AsSpan(sent));
            if (r.IsFault)
                throw new IOException("request ring broken: " + r.Describe());
            sent += r.Count;
            Kick.Signal();
            if (sent < frame.Length)
            {
                if (Environment.TickCount64 > deadline)
                    throw new TimeoutException("the daemon does not consume the request ring");
                Notify.Wait(20);
            }
        }
    }

    /// <summary>The next reply (watch events before it are collected in <see cref="Events"/>).</summary>
    public XsMessage ReceiveReply(int timeoutMs = 10_000)
    {
        long deadline = Environment.TickCount64 + timeoutMs;
        var buf = new byte[1024];
        while (true)
        {
            while (_received.Count > 0)
            {
                var m = _received.Dequeue();
                if (m.Type != (uint)XsMessageType.XS_WATCH_EVENT)
                    return m;
                Events.Add(Encoding.UTF8.GetString(m.Payload).Replace('\0', ' ').TrimEnd());
            }
            var r = Ring.ReadResponse(buf);
            if (r.IsFault)
                throw new IOException("reply ring broken: " + r.Describe());
            if (r.Count > 0)
            {
                Kick.Signal(); // room freed for the daemon
                if (!_decoder.Feed(buf.AsSpan(0, r.Count), _received.Enqueue))
                    throw new IOException("daemon broke the protocol: " + _decoder.Error);
                continue;
            }
            long left = deadline - Environment.TickCount64;
            if (left <= 0)
                throw new TimeoutException($"no reply on domain {DomId}'s ring (error field {Ring.Error})");
            Notify.Wait((int)Math.Min(left, 100));
        }
    }

    /// <summary>Reads whatever arrives within <paramref name="ms"/> into <see cref="Events"/>.</summary>
    public void CollectEvents(int ms)
    {
        while (_received.Count > 0)
            Events.Add(Encoding.UTF8.GetString(_received.Dequeue().Payload).Replace('\0', ' ').TrimEnd());
        long deadline = Environment.TickCount64 + ms;
        var buf = new byte[1024];
        while (Environment.TickCount64 < deadline)
        {
            var r = Ring.ReadResponse(buf);
            if (r.Count > 0)
            {
                Kick.Signal();
                _decoder.Feed(buf.AsSpan(0, r.Count), m => Events.Add(Encoding.UTF8.GetString(m.Payload).Replace('\0', ' ').TrimEnd()));
                continue;
            }
            Notify.Wait(20);
        }
    }

    /// <summary>One request; the reply payload as text, "error:NAME" for XS_ERROR.</summary>
    public string Request(XsMessageType type, string payload, uint txId = 0)
    {
        Send(type, payload, txId);
        var m = ReceiveReply();
        string text = Encoding.UTF8.GetString(m.Payload);
        return m.Type == (uint)XsMessageType.XS_ERROR ? "error:" + text.TrimEnd('\0') : text;
    }

    /// <summary>xenstore-ring.txt's reconnection, guest half: ask, signal, wait for "connected".</summary>
    public void Reconnect()
    {
        Volatile.Write(ref Interface->connection, XenStoreInterface.XENSTORE_RECONNECT);
        Kick.Signal();
        long deadline = Environment.TickCount64 + 10_000;
        while (Volatile.Read(ref Interface->connection) != XenStoreInterface.XENSTORE_CONNECTED)
        {
            if (Environment.TickCount64 > deadline)
                throw new TimeoutException("the daemon did not complete the reconnection");
            Notify.Wait(50);
        }
        _received.Clear();
        _decoder = new XsFrameDecoder();
        Events.Clear();
    }

    public void Dispose()
    {
        Page.Dispose();
        Kick.Dispose();
        Notify.Dispose();
    }
}
