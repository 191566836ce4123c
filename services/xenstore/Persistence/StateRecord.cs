using System.Text;
using Micro.XenStore.Rings;
using Micro.XenStore.Store;
using Micro.XenStore.Watches;
using Micro.XenStore.Wire;

namespace Micro.XenStore.Persistence;

public enum StateRecordKind : byte
{
    Put = 1,
    Delete = 2,
    SpecialPerms = 3,
    DomainIntroduced = 4,
    DomainReleased = 5,
    DomainTarget = 6,
    DomainWatches = 7,
    DomainTransactions = 8,
    RingProgress = 9,
}

/// <summary>
/// One durable change. On disk, in the journal and the snapshot alike: u32 length, u32 CRC-32 of
/// the body, then the body (kind byte and fields; strings and byte strings length-prefixed).
/// A record whose length runs past the file or whose CRC does not match was never acknowledged.
/// </summary>
public sealed class StateRecord
{
    public StateRecordKind Kind { get; init; }
    public string Path { get; init; } = "";
    public byte[] Value { get; init; } = [];
    public XsPermissions? Perms { get; init; }
    public uint DomId { get; init; }
    public ulong Mfn { get; init; }
    public uint Port { get; init; }
    public uint Number { get; init; }
    public IReadOnlyList<Watch> Watches { get; init; } = [];
    public RingProgress? Ring { get; init; }

    public const int MaxBody = 1 << 24;

    public void WriteTo(Stream output)
    {
        var body = new MemoryStream();
        using (var w = new BinaryWriter(body, Encoding.UTF8, leaveOpen: true))
        {
            w.Write((byte)Kind);
            switch (Kind)
            {
                case StateRecordKind.Put:
                    w.Write(Path);
                    w.Write(Value.Length);
                    w.Write(Value);
                    WritePerms(w, Perms!);
                    break;
                case StateRecordKind.Delete:
                    w.Write(Path);
                    break;
                case StateRecordKind.SpecialPerms:
                    w.Write(Path);
                    WritePerms(w, Perms!);
                    break;
                case StateRecordKind.DomainIntroduced:
                    w.Write(DomId);
                    w.Write(Mfn);
                    w.Write(Port);
                    break;
                case StateRecordKind.DomainReleased:
                    w.Write(DomId);
                    break;
                case StateRecordKind.DomainTarget:
                case StateRecordKind.DomainTransactions:
                    w.Write(DomId);
                    w.Write(Number);
                    break;
                case StateRecordKind.DomainWatches:
                    w.Write(DomId);
                    w.Write(Watches.Count);
                    foreach (var watch in Watches)
                    {
                        w.Write(watch.Path);
                        w.Write(watch.Token);
                        w.Write(watch.Relative);
                    }
                    break;
                case StateRecordKind.RingProgress:
                    w.Write(Ring!.DomId);
                    w.Write(Ring.Consumed);
                    w.Write(Ring.Partial.Length);
                    w.Write(Ring.Partial);
                    w.Write(Ring.OutputStart);
                    w.Write(Ring.Unsent.Length);
                    w.Write(Ring.Unsent);
                    break;
                default:
                    throw new InvalidOperationException("unknown record kind " + Kind);
            }
        }
        var bytes = body.GetBuffer().AsSpan(0, (int)body.Length);
        Span<byte> header = stackalloc byte[8];
        BitConverter.TryWriteBytes(header, bytes.Length);
        BitConverter.TryWriteBytes(header[4..], Crc32.Compute(bytes));
        output.Write(header);
        output.Write(bytes);
    }

    private static void WritePerms(BinaryWriter w, XsPermissions perms)
    {
        w.Write(perms.Entries.Length);
        foreach (var e in perms.Entries)
        {
            w.Write(e.DomId);
            w.Write((byte)e.Perm);
        }
    }

    /// <summary>
    /// Reads the records of <paramref name="data"/> in order; stops at the first torn or corrupt one.
    /// Returns how many bytes were good (the rest is to be cut off).
    /// </summary>
    public static int ReadAll(ReadOnlySpan<byte> data, List<StateRecord> records)
    {
        int pos = 0;
        while (data.Length - pos >= 8)
        {
            int len = BitConverter.ToInt32(data[pos..]);
            uint crc = BitConverter.ToUInt32(data[(pos + 4)..]);
            if (len <= 0 || len > MaxBody || len > data.Length - pos - 8)
                break;
            var body = data.Slice(pos + 8, len);
            if (Crc32.Compute(body) != crc)
                break;
            var record = Parse(body.ToArray());
            if (record is null)
                break;
            records.Add(record);
            pos += 8 + len;
        }
        return pos;
    }

    private static StateRecord? Parse(byte[] body)
    {
        try
        {
            using var r = new BinaryReader(new MemoryStream(body), Encoding.UTF8);
            var kind = (StateRecordKind)r.ReadByte();
            return kind switch
            {
                StateRecordKind.Put => new StateRecord { Kind = kind, Path = r.ReadString(), Value = r.ReadBytes(r.ReadInt32()), Perms = ReadPerms(r) },
                StateRecordKind.Delete => new StateRecord { Kind = kind, Path = r.ReadString() },
                StateRecordKind.SpecialPerms => new StateRecord { Kind = kind, Path = r.ReadString(), Perms = ReadPerms(r) },
                StateRecordKind.DomainIntroduced => new StateRecord { Kind = kind, DomId = r.ReadUInt32(), Mfn = r.ReadUInt64(), Port = r.ReadUInt32() },
                StateRecordKind.DomainReleased => new StateRecord { Kind = kind, DomId = r.ReadUInt32() },
                StateRecordKind.DomainTarget or StateRecordKind.DomainTransactions => new StateRecord { Kind = kind, DomId = r.ReadUInt32(), Number = r.ReadUInt32() },
                StateRecordKind.DomainWatches => ReadWatches(r),
                StateRecordKind.RingProgress => ReadRingProgress(r),
                _ => null,
            };
        }
        catch (EndOfStreamException)
        {
            return null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static StateRecord? ReadWatches(BinaryReader r)
    {
        uint domid = r.ReadUInt32();
        int n = r.ReadInt32();
        if (n < 0 || n > 100_000)
            return null;
        var watches = new List<Watch>(n);
        for (int i = 0; i < n; i++)
            watches.Add(new Watch(r.ReadString(), r.ReadString(), r.ReadBoolean()));
        return new StateRecord { Kind = StateRecordKind.DomainWatches, DomId = domid, Watches = watches };
    }

    private static StateRecord? ReadRingProgress(BinaryReader r)
    {
        uint domid = r.ReadUInt32();
        uint consumed = r.ReadUInt32();
        byte[]? partial = ReadBytes(r, XsLimits.HeaderSize + XsLimits.PayloadMax);
        uint start = r.ReadUInt32();
        byte[]? unsent = ReadBytes(r, MaxBody);
        if (partial is null || unsent is null)
            return null;
        return new StateRecord { Kind = StateRecordKind.RingProgress, DomId = domid, Ring = new RingProgress(domid, consumed, partial, start, unsent) };
    }

    private static byte[]? ReadBytes(BinaryReader r, int max)
    {
        int n = r.ReadInt32();
        if (n < 0 || n > max)
            return null;
        byte[] b = r.ReadBytes(n);
        return b.Length == n ? b : null;
    }

    private static XsPermissions? ReadPerms(BinaryReader r)
    {
        int n = r.ReadInt32();
        if (n < 1 || n > 100_000)
            throw new FormatException("bad permission count");
        var entries = new XsPermEntry[n];
        for (int i = 0; i < n; i++)
            entries[i] = new XsPermEntry(r.ReadUInt32(), (XsPerm)(r.ReadByte() & 3));
        return new XsPermissions(entries);
    }
}
