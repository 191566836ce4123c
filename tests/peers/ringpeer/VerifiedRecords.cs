using System.Buffers.Binary;
using System.Numerics;

namespace Micro.RingPeer;

/// <summary>
/// The content of record number <c>seq</c> (1, 2, ...), derived from <c>seq</c> alone so the reader
/// can check every byte: <c>[u64 seq][u32 length][pattern bytes][u32 checksum of all before]</c>,
/// with a length between 16 and <see cref="MaxLength"/> that varies record to record.
/// </summary>
public sealed class VerifiedRecords
{
    public const int MinLength = 16;
    private const int PatternSize = 4096;
    private readonly byte[] _pattern = new byte[PatternSize + 65536];

    public int MaxLength { get; }

    /// <param name="maxLength">Longest record; equal to <see cref="MinLength"/>..65536. A fixed length is min = max.</param>
    public VerifiedRecords(int maxLength, bool fixedLength = false)
    {
        if (maxLength < MinLength || maxLength > 65536)
            throw new ArgumentOutOfRangeException(nameof(maxLength), $"record length {maxLength} outside {MinLength}..65536");
        MaxLength = maxLength;
        FixedLength = fixedLength;
        ulong x = 0x9E3779B97F4A7C15;
        for (int i = 0; i < _pattern.Length; i++)
        {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            _pattern[i] = (byte)x;
        }
    }

    public bool FixedLength { get; }

    public int LengthOf(ulong seq)
        => FixedLength ? MaxLength : MinLength + (int)(Mix(seq) % (ulong)(MaxLength - MinLength + 1));

    /// <summary>Writes record <paramref name="seq"/> into <paramref name="buffer"/>; returns its length.</summary>
    public int Fill(ulong seq, Span<byte> buffer)
    {
        int length = LengthOf(seq);
        var record = buffer[..length];
        BinaryPrimitives.WriteUInt64LittleEndian(record, seq);
        BinaryPrimitives.WriteUInt32LittleEndian(record[8..], (uint)length);
        Pattern(seq, length - 16).CopyTo(record[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(record[(length - 4)..], Checksum(record[..(length - 4)]));
        return length;
    }

    /// <summary>Null when <paramref name="record"/> is exactly record <paramref name="seq"/>, else what differs.</summary>
    public string? Verify(ulong seq, ReadOnlySpan<byte> record)
    {
        if (record.Length < MinLength)
            return $"record {seq}: {record.Length} bytes, shorter than any record";
        ulong got = BinaryPrimitives.ReadUInt64LittleEndian(record);
        if (got != seq)
            return $"expected record {seq}, got record {got}";
        int length = LengthOf(seq);
        if (record.Length != length || BinaryPrimitives.ReadUInt32LittleEndian(record[8..]) != (uint)length)
            return $"record {seq}: {record.Length} bytes, expected {length}";
        uint sum = BinaryPrimitives.ReadUInt32LittleEndian(record[(length - 4)..]);
        if (sum != Checksum(record[..(length - 4)]))
            return $"record {seq}: checksum mismatch";
        if (!record.Slice(12, length - 16).SequenceEqual(Pattern(seq, length - 16)))
            return $"record {seq}: content differs from the pattern";
        return null;
    }

    private ReadOnlySpan<byte> Pattern(ulong seq, int length) => _pattern.AsSpan((int)(seq % PatternSize), length);

    private static ulong Mix(ulong x)
    {
        x ^= x >> 33;
        x *= 0xFF51AFD7ED558CCD;
        x ^= x >> 33;
        return x;
    }

    /// <summary>A word-at-a-time 32-bit checksum; both sides of the ring compute it the same way.</summary>
    public static uint Checksum(ReadOnlySpan<byte> bytes)
    {
        ulong h = (ulong)bytes.Length * 0x9E3779B97F4A7C15;
        int i = 0;
        for (; i + 8 <= bytes.Length; i += 8)
            h = BitOperations.RotateLeft((h ^ BinaryPrimitives.ReadUInt64LittleEndian(bytes[i..])) * 0xFF51AFD7ED558CCD, 29);
        for (; i < bytes.Length; i++)
            h = (h ^ bytes[i]) * 0x100000001B3;
        return (uint)(h ^ (h >> 32));
    }
}
