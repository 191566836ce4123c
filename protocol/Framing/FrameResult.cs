namespace Micro.Protocol.Framing;

/// <summary>The outcome of decoding or receiving one frame; <see cref="Detail"/> says precisely what was wrong.</summary>
public readonly record struct FrameResult(FrameError Error, string? Detail = null, bool NotifyPeer = false)
{
    public bool IsOk => Error == FrameError.None;

    /// <summary>The peer sent something it must not: reject the message (and usually close the connection).</summary>
    public bool IsFault => Error > FrameError.Incomplete;

    public static FrameResult Ok(bool notifyPeer = false) => new(FrameError.None, null, notifyPeer);

    public override string ToString() => Detail is null ? Error.ToString() : $"{Error}: {Detail}";
}
