using Micro.Protocol.Framing;
using Micro.Protocol.Messages;
using Micro.Protocol.Os;

namespace Micro.Toolstack.Daemon;

/// <summary>
/// The toolstack domain's control channel to the core: framed messages over the SOCK_SEQPACKET socket
/// the core's supervisor listens on, strictly one request and its reply at a time. Hello first: the core
/// answers with the toolstack's domid.
/// </summary>
public sealed class CoreLink : IDisposable
{
    private readonly UnixSocket _socket;
    private readonly FrameCodec _codec = new();
    private readonly byte[] _buffer = new byte[Frame.MaxFrameSize];
    private readonly object _lock = new();
    private ulong _nextRequest = 1;

    public ushort Domid { get; }

    private CoreLink(UnixSocket socket, ushort domid)
    {
        _socket = socket;
        Domid = domid;
    }

    public static CoreLink Connect(string controlSocket)
    {
        var socket = UnixSocket.Connect(controlSocket);
        try
        {
            var link = new CoreLink(socket, 0);
            var (reply, fds) = link.Call(new Hello("toolstack", Environment.ProcessId, 1));
            ReceivedFds.Close(fds); // shared_info and the kick: the toolstack waits on nothing from its own events
            if (reply is not HelloReply hello)
                throw new IOException($"the core answered Hello with {Describe(reply)}");
            return new CoreLink(socket, hello.Domid);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends <paramref name="request"/> and returns the core's reply and any fds attached to it (the caller owns them).</summary>
    public (Message Reply, int[] Fds) Call(Message request, int timeoutMs = 30_000)
    {
        lock (_lock)
        {
            ulong id = _nextRequest++;
            _socket.Send(_codec.Encode(request, id).Span);
            Span<int> fds = stackalloc int[UnixSocket.MaxFds];
            var r = _socket.Receive(_buffer, fds, timeoutMs);
            if (r.Status != ReceiveStatus.Message)
                throw new IOException($"no reply from the core to {request.Type} ({r.Status})");
            int[] received = fds[..r.FdCount].ToArray();
            var result = FrameCodec.Decode(_buffer.AsMemory(0, r.Length), out var envelope, out _);
            if (!result.IsOk || envelope.RequestId != id)
            {
                ReceivedFds.Close(received);
                throw new IOException(result.IsOk ? $"the core answered request {envelope.RequestId}, expected {id}" : $"bad reply from the core to {request.Type}: {result}");
            }
            return (envelope.Message, received);
        }
    }

    /// <summary>Calls and insists on an <see cref="OkReply"/>; an error reply becomes an exception naming it.</summary>
    public void CallOk(Message request)
    {
        var (reply, fds) = Call(request);
        ReceivedFds.Close(fds);
        if (reply is not OkReply)
            throw new CoreRefusedException(request, reply);
    }

    public static string Describe(Message reply) => reply is ErrorReply e ? $"error {e.Errno}: {e.Reason}" : reply.Type.ToString();

    public void Dispose() => _socket.Dispose();
}

/// <summary>The core refused a request (its errno and reason are in the message).</summary>
public sealed class CoreRefusedException(Message request, Message reply) : Exception($"the core refused {request.Type}: {CoreLink.Describe(reply)}")
{
    public int Errno { get; } = reply is ErrorReply e ? e.Errno : 0;
}
