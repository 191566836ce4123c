using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace Micro.Console.Logging;

/// <summary>
/// The small file beside a console log (<c>guest-NAME.cursor</c>) that ties the log to the rings: for each
/// source it records the page's identity and the out-ring index up to which bytes are in the log, together
/// with the log's length at that moment. It is written after the log bytes and before the ring index moves,
/// which is what lets a restarted daemon neither lose nor repeat a byte (see <see cref="ConsoleLog"/>).
///
/// Layout: two 64-byte slots written alternately (a torn write can only spoil the slot being written); the
/// valid slot with the higher sequence number wins. Slot, little-endian:
///   0 u32 magic "MCUR"  4 u16 version 1  6 u16 reserved  8 u64 sequence  16 u64 log length
///   24 (u64 identity, u32 index, u32 valid) for the console source, 40 the same for the UART source
///   56 u64 FNV-1a of bytes 0..55
/// </summary>
public sealed class LogCursor : IDisposable
{
    public const int SlotSize = 64, Sources = 2;
    private const uint Magic = 0x5255434D;
    private const ushort Version = 1;

    private readonly SafeFileHandle _file;
    private readonly bool _sync;
    private ulong _sequence;

    public long LogLength { get; private set; }
    private readonly Position[] _positions = new Position[Sources];

    /// <summary>Where one source stood: its page identity and the out index logged up to.</summary>
    public readonly record struct Position(ulong Identity, uint Index, bool Valid);

    private LogCursor(SafeFileHandle file, bool sync)
    {
        _file = file;
        _sync = sync;
    }

    /// <summary>Opens (or creates) the cursor file and loads its newest valid slot; <paramref name="found"/> says whether there was one.</summary>
    public static LogCursor Open(string path, bool sync, out bool found)
    {
        var file = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        var cursor = new LogCursor(file, sync);
        Span<byte> slots = stackalloc byte[2 * SlotSize];
        int n = RandomAccess.Read(file, slots, 0);
        found = false;
        for (int i = 0; i * SlotSize + SlotSize <= n; i++)
        {
            if (TryDecode(slots.Slice(i * SlotSize, SlotSize), out ulong seq, out long length, out var positions) && (!found || seq > cursor._sequence))
            {
                found = true;
                cursor._sequence = seq;
                cursor.LogLength = length;
                positions.CopyTo(cursor._positions, 0);
            }
        }
        return cursor;
    }

    public Position this[int source] => _positions[source];

    /// <summary>Records that the log is <paramref name="logLength"/> bytes long and holds <paramref name="source"/>'s output up to <paramref name="index"/>.</summary>
    public void Record(long logLength, int source, ulong identity, uint index)
    {
        _positions[source] = new Position(identity, index, true);
        Record(logLength);
    }

    /// <summary>Records the log's length alone (a new log: nothing past this length is accounted for yet).</summary>
    public void Record(long logLength)
    {
        LogLength = logLength;
        _sequence++;
        Span<byte> slot = stackalloc byte[SlotSize];
        Encode(slot, _sequence, logLength, _positions);
        RandomAccess.Write(_file, slot, (long)(_sequence % 2) * SlotSize);
        if (_sync)
            RandomAccess.FlushToDisk(_file);
    }

    internal static void Encode(Span<byte> slot, ulong sequence, long logLength, ReadOnlySpan<Position> positions)
    {
        slot.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(slot, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(slot[4..], Version);
        BinaryPrimitives.WriteUInt64LittleEndian(slot[8..], sequence);
        BinaryPrimitives.WriteInt64LittleEndian(slot[16..], logLength);
        for (int i = 0; i < Sources; i++)
        {
            var at = slot[(24 + 16 * i)..];
            BinaryPrimitives.WriteUInt64LittleEndian(at, positions[i].Identity);
            BinaryPrimitives.WriteUInt32LittleEndian(at[8..], positions[i].Index);
            BinaryPrimitives.WriteUInt32LittleEndian(at[12..], positions[i].Valid ? 1u : 0u);
        }
        BinaryPrimitives.WriteUInt64LittleEndian(slot[56..], Fnv1a(slot[..56]));
    }

    internal static bool TryDecode(ReadOnlySpan<byte> slot, out ulong sequence, out long logLength, out Position[] positions)
    {
        sequence = 0;
        logLength = 0;
        positions = new Position[Sources];
        if (slot.Length != SlotSize
            || BinaryPrimitives.ReadUInt32LittleEndian(slot) != Magic
            || BinaryPrimitives.ReadUInt16LittleEndian(slot[4..]) != Version
            || BinaryPrimitives.ReadUInt64LittleEndian(slot[56..]) != Fnv1a(slot[..56]))
            return false;
        sequence = BinaryPrimitives.ReadUInt64LittleEndian(slot[8..]);
        logLength = BinaryPrimitives.ReadInt64LittleEndian(slot[16..]);
        if (logLength < 0)
            return false;
        for (int i = 0; i < Sources; i++)
        {
            var at = slot[(24 + 16 * i)..];
            uint valid = BinaryPrimitives.ReadUInt32LittleEndian(at[12..]);
            if (valid > 1)
                return false;
            positions[i] = new Position(BinaryPrimitives.ReadUInt64LittleEndian(at), BinaryPrimitives.ReadUInt32LittleEndian(at[8..]), valid == 1);
        }
        return true;
    }

    private static ulong Fnv1a(ReadOnlySpan<byte> bytes)
    {
        ulong hash = 0xcbf29ce484222325;
        foreach (byte b in bytes)
            hash = (hash ^ b) * 0x100000001b3;
        return hash;
    }

    public void Dispose() => _file.Dispose();
}
