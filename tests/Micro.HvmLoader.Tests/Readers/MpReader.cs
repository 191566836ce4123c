namespace Micro.HvmLoader.Tests.Readers;

/// <summary>Finds "_MP_", checks the floating pointer and the PCMP table, and returns the entries.</summary>
internal static class MpReader
{
    private static readonly Dictionary<byte, int> EntrySizes = new() { [0] = 20, [1] = 8, [2] = 8, [3] = 8, [4] = 8 };

    public static List<byte[]> Read(GuestBytes mem)
    {
        ulong? fp = mem.Scan("_MP_", 0xF0000, 0x100000);
        Assert.True(fp.HasValue, "no MP floating pointer");
        var p = mem.Read(fp.Value, 16);
        Assert.Equal(1, p[8]);
        Assert.Equal(4, p[9]);
        Assert.Equal(0, GuestBytes.Sum(p));
        Assert.Equal(0, p[11]); // a configuration table is present, not a default configuration
        ulong table = BitConverter.ToUInt32(p, 4);
        Assert.Equal("PCMP", mem.Ascii(table, 4));
        ushort length = mem.U16(table + 4);
        var t = mem.Read(table, length);
        Assert.Equal(0, GuestBytes.Sum(t));
        ushort count = BitConverter.ToUInt16(t, 34);
        var entries = new List<byte[]>();
        int off = 44;
        while (off < t.Length)
        {
            Assert.True(EntrySizes.TryGetValue(t[off], out int size), $"unknown MP entry type {t[off]}");
            Assert.True(off + size <= t.Length, "MP entry runs past the table");
            entries.Add(t[off..(off + size)]);
            off += size;
        }
        Assert.Equal(count, entries.Count);
        return entries;
    }
}
