namespace Micro.Protocol.Framing;

public enum FrameError
{
    None = 0,

    /// <summary>Not a fault: no frame waiting on the ring.</summary>
    WouldBlock,

    /// <summary>Not a fault: a byte stream holds only part of a frame so far.</summary>
    Incomplete,

    /// <summary>The ring under the frames broke its contract; the connection must close.</summary>
    RingFault,

    /// <summary>The length prefix announces more than <see cref="Frame.MaxBodySize"/>.</summary>
    Oversized,

    /// <summary>The body ends before the MessagePack it starts.</summary>
    Truncated,

    /// <summary>The body is not the MessagePack shape of an envelope or of its message.</summary>
    Malformed,

    UnsupportedVersion,

    UnknownType,

    /// <summary>A ring record's length disagrees with the frame's length prefix.</summary>
    LengthMismatch,
}
