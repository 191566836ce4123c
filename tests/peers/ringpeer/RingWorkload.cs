namespace Micro.RingPeer;

public enum RingWorkload
{
    /// <summary>Variable-length records, every byte generated from the sequence number and checked.</summary>
    Verified,

    /// <summary>Fixed-length records; only the sequence number is written and checked (ring cost alone).</summary>
    Raw,

    /// <summary>Framed MessagePack messages of several contracts, decoded and compared field by field.</summary>
    Frames,
}
