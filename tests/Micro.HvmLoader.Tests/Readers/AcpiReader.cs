namespace Micro.HvmLoader.Tests.Readers;

/// <summary>An ACPI table as read back: signature, address, and its whole bytes (header included).</summary>
internal sealed record AcpiTable(string Signature, ulong Address, byte[] Bytes);

/// <summary>Finds the RSDP the way an OS does and follows XSDT/RSDT, checking every checksum and length.</summary>
internal static class AcpiReader
{
    public static (ulong Rsdp, List<AcpiTable> Xsdt, List<ulong> Rsdt) Read(GuestBytes mem)
    {
        ulong? rsdp = mem.Scan("RSD PTR ", 0xE0000, 0x100000);
        Assert.True(rsdp.HasValue, "no RSDP in 0xe0000..0xfffff");
        ulong r = rsdp.Value;
        Assert.Equal(0, GuestBytes.Sum(mem.Read(r, 20)));
        Assert.Equal(2, mem.U8(r + 15));
        Assert.Equal(36u, mem.U32(r + 20));
        Assert.Equal(0, GuestBytes.Sum(mem.Read(r, 36)));

        var xsdt = Table(mem, mem.U64(r + 24), "XSDT");
        var tables = new List<AcpiTable>();
        for (int off = 36; off < xsdt.Bytes.Length; off += 8)
            tables.Add(Table(mem, BitConverter.ToUInt64(xsdt.Bytes, off), null));
        var rsdt = Table(mem, mem.U32(r + 16), "RSDT");
        var rsdtEntries = new List<ulong>();
        for (int off = 36; off < rsdt.Bytes.Length; off += 4)
            rsdtEntries.Add(BitConverter.ToUInt32(rsdt.Bytes, off));
        return (r, tables, rsdtEntries);
    }

    public static AcpiTable Table(GuestBytes mem, ulong address, string? signature)
    {
        string sig = mem.Ascii(address, 4);
        if (signature is not null)
            Assert.Equal(signature, sig);
        uint length = mem.U32(address + 4);
        Assert.True(length >= 36, $"{sig} length {length}");
        var bytes = mem.Read(address, (int)length);
        Assert.True(GuestBytes.Sum(bytes) == 0, $"{sig} checksum");
        return new(sig, address, bytes);
    }

    /// <summary>MADT interrupt-controller structures as (type, bytes), each length checked against the table.</summary>
    public static List<(byte Type, byte[] Entry)> MadtEntries(AcpiTable madt)
    {
        var list = new List<(byte, byte[])>();
        int off = 44;
        while (off < madt.Bytes.Length)
        {
            Assert.True(off + 2 <= madt.Bytes.Length, "truncated MADT entry header");
            byte type = madt.Bytes[off], len = madt.Bytes[off + 1];
            Assert.True(len >= 2 && off + len <= madt.Bytes.Length, $"MADT entry at {off} has length {len}");
            list.Add((type, madt.Bytes[off..(off + len)]));
            off += len;
        }
        Assert.Equal(madt.Bytes.Length, off);
        return list;
    }
}
