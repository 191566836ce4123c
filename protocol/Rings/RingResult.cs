namespace Micro.Protocol.Rings;

/// <summary>
/// The outcome of one ring operation, as a value (the hot path throws nothing): how many bytes moved,
/// whether the peer must be notified, or what was wrong — with the numbers needed to say it precisely.
/// </summary>
public readonly record struct RingResult(RingError Error, int Count, bool Notify, uint A = 0, uint B = 0)
{
    public bool IsOk => Error == RingError.None;

    /// <summary>True when the peer broke the ring contract (or the caller erred): the connection should close.</summary>
    public bool IsFault => Error > RingError.WouldBlock;

    public static RingResult WouldBlock => new(RingError.WouldBlock, 0, false);

    public static RingResult Ok(int count, bool notify = false) => new(RingError.None, count, notify);

    public static RingResult Fail(RingError error, uint a = 0, uint b = 0) => new(error, 0, false, a, b);

    /// <summary>A sentence naming the fault and the values that show it.</summary>
    public string Describe() => Error switch
    {
        RingError.None => $"ok, {Count} bytes" + (Notify ? ", notify peer" : ""),
        RingError.WouldBlock => "ring empty or full, waiting for the peer",
        RingError.ProducerBehindConsumer => $"producer index 0x{A:x} is behind consumer index 0x{B:x}",
        RingError.IndexDistanceTooLarge => $"indices 0x{A:x} and 0x{B:x} are {A - B} bytes apart, more than the ring",
        RingError.IndexMovedBackwards => $"peer index moved backwards from 0x{B:x} to 0x{A:x}",
        RingError.IndexMisaligned => $"record ring index 0x{A:x} is not a multiple of 8",
        RingError.RecordTooLong => $"record header announces {A} bytes, limit is {B}",
        RingError.RecordBeyondProduced => $"record needs {A} bytes but only {B} are produced",
        RingError.RecordTooLarge => $"record of {A} bytes is larger than the limit of {B}",
        RingError.BufferTooSmall => $"next record has {A} bytes, buffer holds {B}",
        RingError.BadHeader => $"ring header invalid (field 0x{A:x}, expected 0x{B:x})",
        _ => Error.ToString(),
    };

    public override string ToString() => Describe();
}
