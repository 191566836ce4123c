namespace Micro.Protocol.Os;

/// <summary>
/// A peer sent something malformed: a truncated message, the wrong number of file descriptors, an fd of
/// the wrong kind, an unknown control message. Any fds that came with it have already been closed.
/// Loops that talk to peers catch this, report it, and carry on or drop that peer; it never takes them down.
/// </summary>
public sealed class PeerProtocolException : IOException
{
    public PeerProtocolException(string message) : base(message) { }

    public PeerProtocolException() { }

    public PeerProtocolException(string message, Exception inner) : base(message, inner) { }
}
