using System.IO.MemoryMappedFiles;
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
    private readonly MemoryMappedFile? _file;
    private readonly MemoryMappedViewAccessor? _view;
    private readonly byte* _pointer;
    private uint _nextReq = 1;

    public RingGuest(uint domid)
    {
        DomId = domid;
        Page = SharedMemory.Create($"xs-ring-{domid}", 4096);
        _pointer = Page.Pointer;
        Kick = EventFd.Create();
        Notify = EventFd.Create();
        Ring = new XenStoreRing(_pointer);
    }

    /// <summary>
    /// A page in a file the reference C daemon maps (through the test shim) instead of a grant. It has
    /// no event channel: <see cref="Poke"/> makes the daemon look at its rings, and replies are polled.
    /// </summary>
    public RingGuest(uint domid, string file, Action poke)
    {
        DomId = domid;
        using (var f = new FileStream(file, FileMode.CreateNew))
            f.SetLength(4096);
        _file = MemoryMappedFile.CreateFromFile(file, FileMode.Open, null, 4096);
        _view = _file.CreateViewAccessor(0, 4096);
        byte* p = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        _pointer = p;
        Kick = EventFd.Create();
        Notify = EventFd.Create();
        Ring = new XenStoreRing(_pointer);
        Poke = poke;
        PollMs = 2;
    }

    /// <summary>Makes the daemon serve its rings (the reference has no working event channel).</summary>
    public Action? Poke { get; }

    /// <summary>How long to wait for a notification before looking at the ring again.</summary>
    public int PollMs { get; } = 20;

    public uint DomId { get; }
    public SharedMemory? Page { get; }
    public EventFd Kick { get; }
    public EventFd Notify { get; }
    public XenStoreRing Ring { get; }
    public XenStoreInterface* Interface => (XenStoreInterface*)_pointer;
    public List<string> Events { get; } = [];

    /// <summary>Offers the ring to the daemon; returns its answer ("OK" or "error: ...").</summary>
    public string Attach(string ringSocket, string? text = null, int[]? fds = null)
    {
        using var s = UnixSocket.Connect(ringSocket);
        s.Send(Encoding.ASCII.GetBytes(text ?? $"attach {DomId}"), fds ?? [Page!.Fd, Kick.Fd, Notify.Fd]);
        var buf = new byte[256];
        var got = s.Receive(buf, [], timeoutMs: 10_000);
        return got.Status == ReceiveStatus.Message ? Encoding.ASCII.GetString(buf, 0, got.Length) : "no answer: " + got.Status;
    }

    public void Send(XsMessageType type, string payload, uint txId = 0) => Send(type, Encoding.UTF8.GetBytes(payload), txId);

    /// <summary>Writes a whole request, waiting for room as the daemon consumes.</summary>
    public void Send(XsMessageType type, byte[] payload, uint txId = 0) => Send((uint)type, payload, _nextReq++, txId);

    public void Send(uint type, byte[] payload, uint reqId, uint txId)
    {
        byte[] frame = XsMessage.Encode(type, reqId, txId, payload);
        int sent = 0;
        long deadline = Environment.TickCount64 + 10_000;
        while (sent < frame.Length)
        {
            var r = Ring.WriteRequest(frame.AsSpan(sent));
            if (r.IsFault)
                throw new IOException("request ring broken: " + r.Describe());
            sent += r.Count;
            Kick.Signal();
            Poke?.Invoke();
            if (sent < frame.Length)
            {
                if (Environment.TickCount64 > deadline)
                    throw new TimeoutException("the daemon does not consume the request ring");
                Notify.Wait(PollMs);
            }
        }
    }

    /// <summary>The next reply (watch events before it are collected in <see cref="Events"/>).</summary>
    public XsMessage ReceiveReply(int timeoutMs = 10_000)
    {
        var all = ReceiveThroughReply(timeoutMs);
        foreach (var m in all[..^1])
            Events.Add(Encoding.UTF8.GetString(m.Payload).Replace('\0', ' ').TrimEnd());
        return all[^1];
    }

    /// <summary>Every message up to and including the next reply (watch events come first).</summary>
    public List<XsMessage> ReceiveThroughReply(int timeoutMs = 10_000)
    {
        long deadline = Environment.TickCount64 + timeoutMs;
        var result = new List<XsMessage>();
        while (true)
        {
            while (_received.Count > 0)
            {
                var m = _received.Dequeue();
                result.Add(m);
                if (m.Type != (uint)XsMessageType.XS_WATCH_EVENT)
                    return result;
            }
            if (ReadRing() > 0)
                continue;
            long left = deadline - Environment.TickCount64;
            if (left <= 0)
            {
                foreach (var m in result)
                    Events.Add(Encoding.UTF8.GetString(m.Payload).Replace('\0', ' ').TrimEnd());
                throw new TimeoutException($"no reply on domain {DomId}'s ring (error field {Ring.Error})");
            }
            Poke?.Invoke();
            Notify.Wait((int)Math.Min(left, PollMs));
        }
    }

    /// <summary>Every message that arrives until the ring has been quiet for <paramref name="quietMs"/>.</summary>
    public List<XsMessage> ReceiveUntilQuiet(int quietMs)
    {
        var result = new List<XsMessage>();
        long quietSince = Environment.TickCount64;
        while (true)
        {
            while (_received.Count > 0)
                result.Add(_received.Dequeue());
            if (ReadRing() > 0)
            {
                quietSince = Environment.TickCount64;
                continue;
            }
            if (Environment.TickCount64 - quietSince >= quietMs)
                return result;
            Poke?.Invoke();
            Notify.Wait(Math.Min(quietMs, PollMs));
        }
    }

    /// <summary>Moves reply-ring bytes into the decoder; returns how many.</summary>
    private int ReadRing()
    {
        var buf = new byte[1024];
        var r = Ring.ReadResponse(buf);
        if (r.IsFault)
            throw new IOException("reply ring broken: " + r.Describe());
        if (r.Count > 0)
        {
            Kick.Signal(); // room freed for the daemon
            if (!_decoder.Feed(buf.AsSpan(0, r.Count), _received.Enqueue))
                throw new IOException("daemon broke the protocol: " + _decoder.Error);
        }
        return r.Count;
    }

    /// <summary>Reads whatever arrives until <paramref name="ms"/> of quiet into <see cref="Events"/>.</summary>
    public void CollectEvents(int ms)
    {
        foreach (var m in ReceiveUntilQuiet(ms))
            Events.Add(Encoding.UTF8.GetString(m.Payload).Replace('\0', ' ').TrimEnd());
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
            Poke?.Invoke();
            Notify.Wait(PollMs);
        }
        _received.Clear();
        _decoder = new XsFrameDecoder();
        Events.Clear();
    }

    public void Dispose()
    {
        if (_view is not null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
        }
        _file?.Dispose();
        Page?.Dispose();
        Kick.Dispose();
        Notify.Dispose();
    }
}
