using Micro.Protocol.Os;

namespace Micro.Protocol.Hosting;

/// <summary>
/// A control socket between a supervisor and one service, speaking <see cref="ControlMessage"/>s. Every
/// message received is checked in full (size, header, kind, text, exact fd count); anything malformed is a
/// <see cref="PeerProtocolException"/> with its fds already closed, and the channel stays usable.
/// </summary>
public sealed class ControlChannel : IDisposable
{
    public UnixSocket Socket { get; }

    /// <summary>Takes ownership of <paramref name="socket"/>.</summary>
    public ControlChannel(UnixSocket socket) => Socket = socket;

    public void Send(ControlMessage message, ReadOnlySpan<int> fds = default) => message.Send(Socket, fds);

    public void Send(ControlKind kind, ulong argument = 0, string text = "", ReadOnlySpan<int> fds = default)
        => Send(new ControlMessage(kind, argument, text), fds);

    /// <summary>
    /// Receives one message (-1 ms: wait forever). On <see cref="ReceiveStatus.Message"/>, the first
    /// <see cref="ControlMessage.FdCount"/>(kind) entries of <paramref name="fds"/> are the caller's to own.
    /// </summary>
    public ReceiveStatus Receive(out ControlMessage message, Span<int> fds, int timeoutMs = -1)
    {
        if (fds.Length < ControlMessage.MaxFds)
            throw new ArgumentException($"room for {ControlMessage.MaxFds} fds is needed", nameof(fds));
        Span<byte> buffer = stackalloc byte[ControlMessage.MaxSize];
        var received = Socket.Receive(buffer, fds[..ControlMessage.MaxFds], timeoutMs);
        message = default;
        if (received.Status != ReceiveStatus.Message)
            return received.Status;
        if (!ControlMessage.TryDecode(buffer[..received.Length], received.FdCount, out message, out string error))
        {
            foreach (int fd in fds[..received.FdCount])
                LibC.Close(fd);
            throw new PeerProtocolException(error);
        }
        return ReceiveStatus.Message;
    }

    public void Dispose() => Socket.Dispose();
}
