using Micro.Console.Consoles;
using Micro.Protocol.Os;

namespace Micro.Console.Clients;

/// <summary>
/// One connection on the attach socket. Output for it is queued and sent without ever blocking the daemon;
/// the queue is bounded by <see cref="QueueLimit"/> bytes, and a client that lets it overflow is a slow reader
/// that is disconnected (the guest and the other clients never wait for it).
/// </summary>
public sealed unsafe class ConsoleClient : IDisposable
{
    private readonly Queue<byte[]> _queue = new();

    public UnixSocket Socket { get; }

    /// <summary>The client's pid from SO_PEERCRED, to name it in the daemon's messages.</summary>
    public int Pid { get; }

    public int QueueLimit { get; }
    public int Queued { get; private set; }

    /// <summary>The console it attached to; null until its Attach message.</summary>
    public GuestConsole? Console { get; set; }

    public bool HoldsInput { get; set; }

    /// <summary>Set once the client must go; the daemon closes it at the end of the loop turn.</summary>
    public string? CloseReason { get; private set; }

    public bool HasQueued => _queue.Count > 0;

    public ConsoleClient(UnixSocket socket, int queueLimit)
    {
        Socket = socket;
        QueueLimit = queueLimit;
        try
        {
            Pid = socket.Peer.Pid;
        }
        catch (IOException)
        {
            Pid = 0;
        }
    }

    public override string ToString() => $"client pid {Pid}";

    /// <summary>Queues a packet and sends what the socket takes now; a full queue closes the client as a slow reader.</summary>
    public void Send(byte[] packet)
    {
        if (CloseReason is not null)
            return;
        if (Queued + packet.Length > QueueLimit)
        {
            Close($"slow reader: {Queued} bytes unsent, limit {QueueLimit}");
            return;
        }
        _queue.Enqueue(packet);
        Queued += packet.Length;
        Flush();
    }

    /// <summary>Sends queued packets until the socket would block.</summary>
    public void Flush()
    {
        while (_queue.Count > 0 && CloseReason is null)
        {
            byte[] packet = _queue.Peek();
            int err = TrySend(packet);
            if (err == LibC.EAGAIN)
                return;
            if (err != 0)
            {
                Close(err is LibC.EPIPE or LibC.ECONNRESET ? "client went away" : $"send failed: {LibC.Describe(err)}");
                return;
            }
            _queue.Dequeue();
            Queued -= packet.Length;
        }
    }

    /// <summary>Marks the client for closing; the daemon tries to tell it why first, without waiting.</summary>
    public void Close(string reason)
    {
        if (CloseReason is not null)
            return;
        CloseReason = reason;
        _queue.Clear();
        Queued = 0;
        TrySend(AttachMessage.Text(AttachKind.Closed, reason));
    }

    private int TrySend(byte[] packet)
    {
        fixed (byte* p = packet)
        {
            while (true)
            {
                nint n = LibC.Send(Socket.Fd, p, (nuint)packet.Length, LibC.MSG_DONTWAIT | LibC.MSG_NOSIGNAL);
                if (n == packet.Length)
                    return 0;
                int err = n < 0 ? LibC.Errno : LibC.EPIPE;
                if (err != LibC.EINTR)
                    return err;
            }
        }
    }

    public void Dispose() => Socket.Dispose();
}
