using System.Buffers.Binary;
using System.Text;

namespace Micro.Console.Clients;

/// <summary>What an attach-socket message is (its first byte).</summary>
public enum AttachKind : byte
{
    /// <summary>Client, first and once: <c>[1][version 1][flags: bit 0 = wants input][0][u32 domid LE]</c>, 8 bytes.</summary>
    Attach = 0x01,

    /// <summary>Client: <c>[2][1..MaxInput bytes for the guest's console input]</c>; only the input holder may send it.</summary>
    Input = 0x02,

    /// <summary>Daemon, first: <c>[0x81][flags: bit 0 = input granted][0][0][u32 domid][name UTF-8]</c>.</summary>
    Attached = 0x81,

    /// <summary>Daemon: <c>[0x82][1..MaxOutput console bytes]</c>, the backlog first, then live output.</summary>
    Output = 0x82,

    /// <summary>Daemon: <c>[0x83]</c>, the backlog has been sent; what follows is live.</summary>
    Live = 0x83,

    /// <summary>Daemon: <c>[0x84][UTF-8 text]</c>, a request was refused; the attachment stays.</summary>
    Error = 0x84,

    /// <summary>Daemon, last: <c>[0x85][UTF-8 reason]</c>; the daemon closes the connection next.</summary>
    Closed = 0x85,
}

/// <summary>
/// The console attach protocol on the daemon's SOCK_SEQPACKET Unix socket: one message per packet, the kind
/// in the first byte (<see cref="AttachKind"/>), little-endian integers. Many clients may attach to one console;
/// each gets the backlog, then live output; one at a time holds the input. Clients are untrusted: every packet
/// is checked completely and refused with a precise reason.
/// </summary>
public static class AttachMessage
{
    public const byte Version = 1;
    public const int AttachSize = 8, MaxInput = 1024, MaxOutput = 4095, MaxPacket = 4096;

    public static byte[] Attach(int domid, bool wantInput)
    {
        var m = new byte[AttachSize];
        m[0] = (byte)AttachKind.Attach;
        m[1] = Version;
        m[2] = wantInput ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32LittleEndian(m.AsSpan(4), (uint)domid);
        return m;
    }

    public static byte[] Input(ReadOnlySpan<byte> bytes) => [(byte)AttachKind.Input, .. bytes];

    public static byte[] Attached(int domid, bool inputGranted, string name)
    {
        var text = Encoding.UTF8.GetBytes(name);
        var m = new byte[8 + Math.Min(text.Length, MaxPacket - 8)];
        m[0] = (byte)AttachKind.Attached;
        m[1] = inputGranted ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32LittleEndian(m.AsSpan(4), (uint)domid);
        text.AsSpan(0, m.Length - 8).CopyTo(m.AsSpan(8));
        return m;
    }

    public static byte[] Output(ReadOnlySpan<byte> bytes) => [(byte)AttachKind.Output, .. bytes];

    public static byte[] Text(AttachKind kind, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return [(byte)kind, .. bytes.AsSpan(0, Math.Min(bytes.Length, MaxPacket - 1))];
    }

    /// <summary>
    /// Checks a packet a client sent. On success <paramref name="kind"/> is Attach (with <paramref name="domid"/>
    /// and <paramref name="wantInput"/>) or Input (its bytes are <c>packet[1..]</c>); otherwise <paramref name="error"/> says why not.
    /// </summary>
    public static bool TryDecodeClient(ReadOnlySpan<byte> packet, out AttachKind kind, out int domid, out bool wantInput, out string error)
    {
        kind = default;
        domid = -1;
        wantInput = false;
        error = "";
        if (packet.IsEmpty)
        {
            error = "empty packet";
            return false;
        }
        switch ((AttachKind)packet[0])
        {
            case AttachKind.Attach:
                if (packet.Length != AttachSize)
                {
                    error = $"attach message of {packet.Length} bytes, expected {AttachSize}";
                    return false;
                }
                if (packet[1] != Version)
                {
                    error = $"attach protocol version {packet[1]}, this daemon speaks {Version}";
                    return false;
                }
                if ((packet[2] & ~1) != 0 || packet[3] != 0)
                {
                    error = $"attach flags 0x{packet[2]:x2} reserved 0x{packet[3]:x2}: unknown bits set";
                    return false;
                }
                uint id = BinaryPrimitives.ReadUInt32LittleEndian(packet[4..]);
                if (id >= DomainIds.Limit)
                {
                    error = $"domid {id} is out of range (0..{DomainIds.Limit - 1})";
                    return false;
                }
                kind = AttachKind.Attach;
                domid = (int)id;
                wantInput = (packet[2] & 1) != 0;
                return true;
            case AttachKind.Input:
                if (packet.Length < 2 || packet.Length > 1 + MaxInput)
                {
                    error = $"input message carries {packet.Length - 1} bytes, expected 1..{MaxInput}";
                    return false;
                }
                kind = AttachKind.Input;
                return true;
            default:
                error = $"unknown message kind 0x{packet[0]:x2}";
                return false;
        }
    }
}
