namespace Micro.Protocol.Rings;

/// <summary>What a ring operation found wrong. Everything except <see cref="None"/> is final for that operation.</summary>
public enum RingError
{
    None = 0,

    /// <summary>Not a fault: nothing to read, or no room to write; wait for the peer and try again.</summary>
    WouldBlock,

    /// <summary>The peer's indices say the producer is behind the consumer (prod - cons is negative).</summary>
    ProducerBehindConsumer,

    /// <summary>The peer's indices are further apart than the ring is large (prod - cons &gt; size).</summary>
    IndexDistanceTooLarge,

    /// <summary>An index moved backwards from the value seen before (a peer rewrote its own index).</summary>
    IndexMovedBackwards,

    /// <summary>A record ring index found in shared memory is not a multiple of 8 (records are 8-byte aligned).</summary>
    IndexMisaligned,

    /// <summary>A record header announces more bytes than the record limit.</summary>
    RecordTooLong,

    /// <summary>A record header announces more bytes than the producer has published.</summary>
    RecordBeyondProduced,

    /// <summary>The caller's record is larger than the ring's record limit (a local mistake, not a peer's).</summary>
    RecordTooLarge,

    /// <summary>The caller's buffer cannot hold the next record; nothing was consumed.</summary>
    BufferTooSmall,

    /// <summary>The shared header does not describe a ring of this layout (magic, version or size wrong).</summary>
    BadHeader,
}
