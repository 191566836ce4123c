using System.Runtime.CompilerServices;

namespace Micro.Protocol.Rings;

/// <summary>
/// A ring of length-prefixed records for Micro's internal channels, built on the same index
/// mechanism as Xen's byte rings (<see cref="ByteRing"/>, <see cref="RingIndices"/>). The region
/// starts with a header area and is followed by a power-of-two data area:
/// <code>
/// 0x00 magic, layout version, data size, record limit       (written once by Format)
/// 0x40 prod | producer tag (one 64-bit store), cons_event   (producer's cache line)
/// 0x80 cons | consumer tag (one 64-bit store), prod_event   (consumer's cache line)
/// 0x100 data: records of [u32 length][payload], each padded to a multiple of 8 bytes
/// </code>
/// Notification suppression is Xen's event-index scheme: a side about to sleep writes the index it
/// wants to be woken at (prod_event / cons_event); the other side notifies only when its index
/// crosses it. The tags let a side store one word of its own state atomically with its index
/// advance, so a restarted process knows exactly what it completed.
/// </summary>
public sealed unsafe class RecordRing
{
    public const uint Magic = 0x474E5252; // "RRNG"
    public const uint LayoutVersion = 1;
    public const int HeaderSize = 0x100;
    public const int MagicOffset = 0x00, VersionOffset = 0x04, DataSizeOffset = 0x08, RecordLimitOffset = 0x0C;
    public const int ProdOffset = 0x40, ProducerTagOffset = 0x44, ConsEventOffset = 0x48;
    public const int ConsOffset = 0x80, ConsumerTagOffset = 0x84, ProdEventOffset = 0x88;

    private readonly byte* _region;

    public ByteRing Data { get; }

    /// <summary>The largest payload a record may carry on this ring.</summary>
    public uint RecordLimit { get; }

    private RecordRing(byte* region, uint dataSize, uint recordLimit)
    {
        _region = region;
        RecordLimit = recordLimit;
        Data = new ByteRing(region + HeaderSize, dataSize, (uint*)(region + ConsOffset), (uint*)(region + ProdOffset));
    }

    /// <summary>Bytes a region needs for a ring with <paramref name="dataSize"/> bytes of data.</summary>
    public static long RegionSize(uint dataSize) => HeaderSize + (long)dataSize;

    /// <summary>The largest record limit a data area of this size can carry (one record fills the ring).</summary>
    public static uint MaxRecordLimit(uint dataSize) => dataSize - RingIndices.RecordHeaderSize;

    /// <summary>Initializes a fresh ring in <paramref name="region"/> (all indices zero). Only the region's creator calls this.</summary>
    public static RecordRing Format(byte* region, long length, uint dataSize, uint recordLimit)
    {
        if (!RingIndices.IsValidSize(dataSize))
            throw new ArgumentOutOfRangeException(nameof(dataSize), $"data size {dataSize} is not a power of two in [8, 2^30]");
        if (length < RegionSize(dataSize))
            throw new ArgumentOutOfRangeException(nameof(length), $"region of {length} bytes cannot hold a {dataSize}-byte ring");
        if (recordLimit > MaxRecordLimit(dataSize))
            throw new ArgumentOutOfRangeException(nameof(recordLimit), $"record limit {recordLimit} does not fit a {dataSize}-byte ring");
        new Span<byte>(region, HeaderSize).Clear();
        *(uint*)(region + VersionOffset) = LayoutVersion;
        *(uint*)(region + DataSizeOffset) = dataSize;
        *(uint*)(region + RecordLimitOffset) = recordLimit;
        Volatile.Write(ref *(uint*)(region + MagicOffset), Magic); // last: a peer that sees the magic sees the rest
        return new RecordRing(region, dataSize, recordLimit);
    }

    /// <summary>
    /// Attaches to a ring another process formatted. The header is read once and checked against the
    /// region's real length; later scribbles on it by a peer change nothing here.
    /// </summary>
    public static RecordRing? Attach(byte* region, long length, out RingResult error)
    {
        error = RingResult.Ok(0);
        if (length < HeaderSize)
        {
            error = RingResult.Fail(RingError.BadHeader, (uint)length, HeaderSize);
            return null;
        }
        uint magic = Volatile.Read(ref *(uint*)(region + MagicOffset));
        uint version = *(uint*)(region + VersionOffset);
        uint dataSize = *(uint*)(region + DataSizeOffset);
        uint recordLimit = *(uint*)(region + RecordLimitOffset);
        if (magic != Magic)
            error = RingResult.Fail(RingError.BadHeader, magic, Magic);
        else if (version != LayoutVersion)
            error = RingResult.Fail(RingError.BadHeader, version, LayoutVersion);
        else if (!RingIndices.IsValidSize(dataSize) || RegionSize(dataSize) > length)
            error = RingResult.Fail(RingError.BadHeader, dataSize, (uint)Math.Min(length - HeaderSize, uint.MaxValue));
        else if (recordLimit > MaxRecordLimit(dataSize))
            error = RingResult.Fail(RingError.BadHeader, recordLimit, MaxRecordLimit(dataSize));
        return error.IsOk ? new RecordRing(region, dataSize, recordLimit) : null;
    }

    public RecordProducer? Producer(out RingResult error) => RecordProducer.Resume(this, out error);

    public RecordConsumer? Consumer(out RingResult error) => RecordConsumer.Resume(this, out error);

    internal ref uint Word(int offset) => ref Unsafe.AsRef<uint>(_region + offset);

    internal ref ulong IndexAndTag(int offset) => ref Unsafe.AsRef<ulong>(_region + offset);
}
