using System.Text;

namespace Micro.HvmLoader.Tests.Readers;

/// <summary>An SMBIOS structure as read back: type, handle, formatted area and strings.</summary>
internal sealed record SmbiosEntry(byte Type, ushort Handle, byte[] Formatted, List<string> Strings)
{
    public string StringAt(int offset) => Formatted[offset] == 0 ? "" : Strings[Formatted[offset] - 1];
}

/// <summary>Finds "_SM_" in 0xf0000..0xfffff, checks both checksums, and walks the structure table.</summary>
internal static class SmbiosReader
{
    public static List<SmbiosEntry> Read(GuestBytes mem)
    {
        ulong? ep = mem.Scan("_SM_", 0xF0000, 0x100000);
        Assert.True(ep.HasValue, "no SMBIOS entry point");
        byte len = mem.U8(ep.Value + 5);
        Assert.Equal(0x1F, len);
        Assert.Equal(0, GuestBytes.Sum(mem.Read(ep.Value, len)));
        Assert.Equal("_DMI_", mem.Ascii(ep.Value + 0x10, 5));
        Assert.Equal(0, GuestBytes.Sum(mem.Read(ep.Value + 0x10, 0x0F)));
        ushort tableLength = mem.U16(ep.Value + 0x16);
        ulong table = mem.U32(ep.Value + 0x18);
        ushort count = mem.U16(ep.Value + 0x1C);
        ushort maxSize = mem.U16(ep.Value + 8);
        var bytes = mem.Read(table, tableLength);

        var list = new List<SmbiosEntry>();
        int off = 0;
        while (off < bytes.Length)
        {
            Assert.True(off + 4 <= bytes.Length, "truncated structure header");
            byte type = bytes[off], flen = bytes[off + 1];
            Assert.True(flen >= 4 && off + flen <= bytes.Length, $"structure at {off} has length {flen}");
            int s = off + flen;
            var strings = new List<string>();
            int start = s;
            while (true)
            {
                Assert.True(s + 1 < bytes.Length, "strings run past the table");
                if (bytes[s] == 0)
                {
                    if (s > start)
                        strings.Add(Encoding.ASCII.GetString(bytes, start, s - start));
                    if (bytes[s + 1] == 0)
                        break;
                    start = s + 1;
                }
                s++;
            }
            int end = s + 2;
            Assert.True(end - off <= maxSize, $"structure of {end - off} bytes exceeds the announced maximum {maxSize}");
            list.Add(new(type, BitConverter.ToUInt16(bytes, off + 2), bytes[off..(off + flen)], strings));
            off = end;
        }
        Assert.Equal(bytes.Length, off);
        Assert.Equal(count, list.Count);
        return list;
    }
}
