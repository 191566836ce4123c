using System.Text;
using Micro.Protocol.Os;

namespace Micro.Console.Clients;

/// <summary>
/// The client side of the attach protocol (what <c>micro console</c> uses): connect, attach to a domid,
/// then read messages — Output with console bytes, Live once the backlog is through, Error, and Closed last.
/// Whatever the daemon sends is checked like any peer input.
/// </summary>
public sealed class ConsoleAttachment : IDisposable
{
    private readonly UnixSocket _socket;
    private readonly byte[] _buffer = new byte[AttachMessage.MaxPacket + 1];

    public int Domid { get; }
    public string Name { get; }
    public bool HoldsInput { get; }

    private ConsoleAttachment(UnixSocket socket, int domid, string name, bool holdsInput)
    {
        _socket = socket;
        Domid = domid;
        Name = name;
        HoldsInput = holdsInput;
    }

    /// <summary>Attaches to <paramref name="domid"/>'s console; fails with the daemon's reason if it refuses.</summary>
    public static ConsoleAttachment Open(string socketPath, int domid, bool wantInput, int timeoutMs = 10_000)
    {
        var socket = UnixSocket.Connect(socketPath);
        try
        {
            socket.Send(AttachMessage.Attach(domid, wantInput));
            var buffer = new byte[AttachMessage.MaxPacket + 1];
            var r = socket.Receive(buffer, [], timeoutMs);
            if (r.Status != ReceiveStatus.Message)
                throw new IOException($"console daemon at {socketPath} did not answer the attach ({r.Status})");
            var packet = buffer.AsSpan(0, r.Length);
            if ((AttachKind)packet[0] == AttachKind.Closed)
                throw new IOException($"console of domain {domid}: {Encoding.UTF8.GetString(packet[1..])}");
            if ((AttachKind)packet[0] != AttachKind.Attached || packet.Length < 8)
                throw new IOException($"console daemon answered the attach with a malformed message (kind 0x{packet[0]:x2}, {packet.Length} bytes)");
            return new ConsoleAttachment(socket, domid, Encoding.UTF8.GetString(packet[8..]), (packet[1] & 1) != 0);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The next message, or null on timeout. After a Closed message, or when the daemon went away, the
    /// result is (Closed, reason).
    /// </summary>
    public (AttachKind Kind, byte[] Payload)? Receive(int timeoutMs)
    {
        var r = _socket.Receive(_buffer, [], timeoutMs);
        if (r.Status == ReceiveStatus.TimedOut)
            return null;
        if (r.Status == ReceiveStatus.Closed)
            return (AttachKind.Closed, "the console daemon closed the connection"u8.ToArray());
        var kind = (AttachKind)_buffer[0];
        if (kind is not (AttachKind.Output or AttachKind.Live or AttachKind.Error or AttachKind.Closed))
            throw new IOException($"console daemon sent unknown message kind 0x{_buffer[0]:x2}");
        return (kind, _buffer[1..r.Length]);
    }

    /// <summary>Sends input for the guest (split into messages of at most <see cref="AttachMessage.MaxInput"/> bytes).</summary>
    public void Input(ReadOnlySpan<byte> bytes)
    {
        for (int i = 0; i < bytes.Length; i += AttachMessage.MaxInput)
            _socket.Send(AttachMessage.Input(bytes[i..Math.Min(bytes.Length, i + AttachMessage.MaxInput)]));
    }

    public void Dispose() => _socket.Dispose();
}
