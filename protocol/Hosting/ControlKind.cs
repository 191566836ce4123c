namespace Micro.Protocol.Hosting;

/// <summary>The messages on a service's control socket (see <see cref="ControlMessage"/> for the layout).</summary>
public enum ControlKind : ushort
{
    /// <summary>Service → supervisor, first: argument = its pid, text = its name.</summary>
    Hello = 1,
    /// <summary>Supervisor → service: a memfd (1 fd); argument = its length; text = its name.</summary>
    Memory = 2,
    /// <summary>Supervisor → service: an eventfd (1 fd); text = its name.</summary>
    EventFd = 3,
    /// <summary>Supervisor → service: the service's own event-channel page and kick eventfd (2 fds); text = its name.</summary>
    EventChannelReceiver = 4,
    /// <summary>Supervisor → service: a peer's event-channel page and kick eventfd (2 fds); argument = the peer's port.</summary>
    EventChannelNotifier = 5,
    /// <summary>Supervisor → service: all capabilities sent; argument = how many.</summary>
    Ready = 6,
    /// <summary>Supervisor → service: argument = a nonce to echo.</summary>
    Ping = 7,
    /// <summary>Service → supervisor: argument = the ping's nonce, text = the service's health.</summary>
    Pong = 8,
    /// <summary>Supervisor → service: stop cleanly, as on SIGTERM.</summary>
    Stop = 9,
    /// <summary>Service → supervisor, last: its loop ended and it flushed; it exits 0 next.</summary>
    Stopped = 10,
    /// <summary>Either way: what was wrong with a message received; text = the precise error.</summary>
    Error = 11,
}
