using System.Buffers.Binary;
using System.Text;
using Micro.Protocol.Os;

namespace Micro.Protocol.Hosting;

/// <summary>
/// One message on a service's control socket (SOCK_SEQPACKET, so one message per packet), kept tiny and
/// fixed so that both ends can check it completely:
///   0   u32  magic "MCTL" (0x4C54434D, little-endian)
///   4   u16  version (1)
///   6   u16  kind (<see cref="ControlKind"/>)
///   8   u64  argument (pid, length, port, nonce or count, by kind)
///   16  text UTF-8, 0..<see cref="MaxText"/> bytes, no control characters (names, health, errors)
/// plus exactly the number of fds the kind carries (<see cref="FdCount"/>) as SCM_RIGHTS.
/// </summary>
public readonly record struct ControlMessage(ControlKind Kind, ulong Argument, string Text)
{
    public const uint Magic = 0x4C54434D;
    public const ushort Version = 1;
    public const int HeaderSize = 16;
    public const int MaxText = 240;
    public const int MaxSize = HeaderSize + MaxText;
    public const int MaxFds = 2;

    /// <summary>How many fds a message of <paramref name="kind"/> carries.</summary>
    public static int FdCount(ControlKind kind) => kind switch
    {
        ControlKind.Memory or ControlKind.EventFd => 1,
        ControlKind.EventChannelReceiver or ControlKind.EventChannelNotifier => 2,
        _ => 0,
    };

    /// <summary>Writes the message into <paramref name="into"/>; returns its length. Over-long text is cut at a character boundary.</summary>
    public int Encode(Span<byte> into)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(into, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(into[4..], Version);
        BinaryPrimitives.WriteUInt16LittleEndian(into[6..], (ushort)Kind);
        BinaryPrimitives.WriteUInt64LittleEndian(into[8..], Argument);
        string text = Text;
        while (Encoding.UTF8.GetByteCount(text) > MaxText)
            text = text[..^1];
        return HeaderSize + Encoding.UTF8.GetBytes(Sanitize(text), into[HeaderSize..]);
    }

    /// <summary>Replaces control characters, so that an error message quoting peer input is still a valid message.</summary>
    private static string Sanitize(string text)
    {
        foreach (char c in text)
        {
            if (char.IsControl(c))
                return string.Create(text.Length, text, (span, s) =>
                {
                    for (int i = 0; i < s.Length; i++)
                        span[i] = char.IsControl(s[i]) ? '?' : s[i];
                });
        }
        return text;
    }

    /// <summary>
    /// Checks and decodes a message that arrived with <paramref name="fdCount"/> fds; on failure returns
    /// false with a precise <paramref name="error"/> (the caller closes the fds).
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> data, int fdCount, out ControlMessage message, out string error)
    {
        message = default;
        if (data.Length < HeaderSize)
        {
            error = $"control message of {data.Length} bytes is shorter than its {HeaderSize}-byte header";
            return false;
        }
        if (data.Length > MaxSize)
        {
            error = $"control message of {data.Length} bytes exceeds {MaxSize}";
            return false;
        }
        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(data);
        if (magic != Magic)
        {
            error = $"bad control magic 0x{magic:X8}";
            return false;
        }
        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(data[4..]);
        if (version != Version)
        {
            error = $"control protocol version {version} is not {Version}";
            return false;
        }
        var kind = (ControlKind)BinaryPrimitives.ReadUInt16LittleEndian(data[6..]);
        if (!Enum.IsDefined(kind))
        {
            error = $"unknown control message kind {(ushort)kind}";
            return false;
        }
        if (fdCount != FdCount(kind))
        {
            error = $"{kind} carries {FdCount(kind)} fds, got {fdCount}";
            return false;
        }
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(data[HeaderSize..]);
        }
        catch (DecoderFallbackException)
        {
            error = $"{kind} text is not valid UTF-8";
            return false;
        }
        foreach (char c in text)
        {
            if (char.IsControl(c))
            {
                error = $"{kind} text contains control character 0x{(int)c:X2}";
                return false;
            }
        }
        bool named = kind is ControlKind.Hello or ControlKind.Memory or ControlKind.EventFd or ControlKind.EventChannelReceiver or ControlKind.EventChannelNotifier;
        if (named && text.Length == 0)
        {
            error = $"{kind} needs a name";
            return false;
        }
        message = new ControlMessage(kind, BinaryPrimitives.ReadUInt64LittleEndian(data[8..]), text);
        error = "";
        return true;
    }

    /// <summary>Sends this message with its fds over <paramref name="socket"/>.</summary>
    public void Send(UnixSocket socket, ReadOnlySpan<int> fds = default)
    {
        if (fds.Length != FdCount(Kind))
            throw new ArgumentException($"{Kind} carries {FdCount(Kind)} fds, not {fds.Length}", nameof(fds));
        Span<byte> buffer = stackalloc byte[MaxSize];
        socket.Send(buffer[..Encode(buffer)], fds);
    }
}
