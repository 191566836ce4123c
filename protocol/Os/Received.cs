namespace Micro.Protocol.Os;

/// <summary>What one <see cref="UnixSocket.Receive"/> produced.</summary>
public readonly record struct Received(ReceiveStatus Status, int Length, int FdCount)
{
    public static Received Closed => new(ReceiveStatus.Closed, 0, 0);
    public static Received TimedOut => new(ReceiveStatus.TimedOut, 0, 0);
}

public enum ReceiveStatus
{
    /// <summary>A whole message of <see cref="Received.Length"/> bytes and <see cref="Received.FdCount"/> fds.</summary>
    Message,
    /// <summary>The peer closed its end (or died).</summary>
    Closed,
    /// <summary>Nothing arrived within the timeout.</summary>
    TimedOut,
}
