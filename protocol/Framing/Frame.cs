namespace Micro.Protocol.Framing;

/// <summary>
/// A frame is the same bytes on every transport (record ring, Unix socket):
/// <c>[u32 little-endian body length][body]</c>, where the body is one MessagePack array
/// <c>[protocol version, message type, request id, message fields]</c>.
/// </summary>
public static class Frame
{
    public const int PrefixSize = 4;

    /// <summary>The largest body any peer may send; larger frames are refused before they are read.</summary>
    public const int MaxBodySize = 64 * 1024;

    public const int MaxFrameSize = PrefixSize + MaxBodySize;

    /// <summary>The protocol version this build speaks, and the oldest it still accepts.</summary>
    public const ushort CurrentVersion = 1, OldestVersion = 1;
}
