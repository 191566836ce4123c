using Micro.Kernel.Domains;
using Micro.Protocol.Framing;
using Micro.Protocol.Messages;
using Micro.Protocol.Os;

namespace Micro.Kernel.Supervision;

/// <summary>
/// One service instance's control channel: a SOCK_SEQPACKET connection carrying one frame per message
/// (the internal protocol's envelope), with capabilities attached to replies as SCM_RIGHTS. Anything
/// malformed is answered with an error and logged; the channel (and the core) keep serving.
/// </summary>
internal sealed class ServiceChannel(ServiceRecord service, UnixSocket socket, KernelLog log) : IDisposable
{
    private const int MaxFrame = 64 * 1024;
    /// <summary>Notifications waiting for a service that does not read are dropped past this many (and logged).</summary>
    private const int MaxQueuedNotifications = 1024;

    private readonly Lock _sending = new();
    private readonly Queue<Message> _notifications = new();
    private Thread? _notifier;
    private bool _closed;

    /// <summary>
    /// Queues a notification (request id 0) for the service; never blocks, so the core may call it under
    /// its lock. A thread of this channel sends it.
    /// </summary>
    public void Notify(Message message)
    {
        lock (_notifications)
        {
            if (_closed)
                return;
            if (_notifications.Count >= MaxQueuedNotifications)
            {
                log.Write($"{service.Name}: notification {message.Type} dropped: {MaxQueuedNotifications} unread");
                return;
            }
            _notifications.Enqueue(message);
            if (_notifier is null)
            {
                _notifier = new Thread(SendNotifications) { IsBackground = true, Name = service.Name + " notifications" };
                _notifier.Start();
            }
            Monitor.Pulse(_notifications);
        }
    }

    private void SendNotifications()
    {
        var codec = new FrameCodec();
        while (true)
        {
            Message next;
            lock (_notifications)
            {
                while (_notifications.Count == 0 && !_closed)
                    Monitor.Wait(_notifications);
                if (_closed)
                    return;
                next = _notifications.Dequeue();
            }
            Send(codec, next, 0, null);
        }
    }

    public void Dispose()
    {
        lock (_notifications)
        {
            _closed = true;
            Monitor.PulseAll(_notifications);
        }
        _notifier?.Join();
    }

    /// <summary>Serves requests until the service closes its end (or dies).</summary>
    public void Serve()
    {
        var codec = new FrameCodec();
        byte[] buffer = new byte[MaxFrame];
        Span<int> noFds = stackalloc int[0];
        while (true)
        {
            Received r;
            try
            {
                r = socket.Receive(buffer, noFds, -1);
            }
            catch (PeerProtocolException e)
            {
                log.Write($"{service.Name}: refused message: {e.Message}");
                continue;
            }
            if (r.Status != ReceiveStatus.Message)
                return;
            var result = FrameCodec.Decode(buffer.AsMemory(0, r.Length), out var envelope, out int consumed);
            if (!result.IsOk || consumed != r.Length)
            {
                string why = result.IsOk ? $"{r.Length - consumed} bytes after the frame" : result.ToString();
                log.Write($"{service.Name}: malformed frame: {why}");
                Send(codec, new ErrorReply(XenErrnoEinval, $"malformed frame: {why}"), 0, null);
                continue;
            }
            ServiceReply reply;
            try
            {
                reply = service.Spec.Handler.Handle(service, envelope.Message);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException)
            {
                log.Write($"{service.Name}: {envelope.Type} failed: {e.Message}");
                reply = new ServiceReply(new ErrorReply(XenErrnoEinval, e.Message));
            }
            Send(codec, reply.Message, envelope.RequestId, reply.Fds);
        }
    }

    private const int XenErrnoEinval = 22;

    private void Send(FrameCodec codec, Message message, ulong requestId, int[]? fds)
    {
        try
        {
            lock (_sending) // replies and notifications come from two threads
                socket.Send(codec.Encode(message, requestId).Span, fds);
        }
        catch (IOException e)
        {
            log.Write($"{service.Name}: reply not sent: {e.Message}");
        }
    }
}
