using System.Buffers.Binary;
using System.Text;

namespace Micro.HvmLoader.Firmware.Acpi;

/// <summary>
/// Builds the ACPI tables in the ACPI part of the BIOS area: DSDT, FADT (hardware-reduced: this
/// platform has no PM1/GPE blocks; reset through the i8042), MADT (one local APIC per vCPU, one
/// IOAPIC, the ISA timer override), RSDT, XSDT and the RSDP (revision 2), all checksummed.
/// </summary>
public static class AcpiTables
{
    public const int HeaderSize = 36, RsdpSize = 36, FadtSize = 276, FadtRevision = 6;
    public const string OemId = "MICRO ", OemTableId = "MICROHVM";
    public const uint FadtHwReduced = 1u << 20, FadtResetRegSupported = 1u << 10, FadtWbinvd = 1;
    public const ushort BootArchLegacyDevices = 1, BootArch8042 = 2;
    public const byte MadtLocalApic = 0, MadtIoApic = 1, MadtInterruptOverride = 2;

    /// <summary>Writes the tables and returns the RSDP's address.</summary>
    public static ulong Build(GuestImage image)
    {
        var area = new TableArea(image, HvmLayout.AcpiArea, HvmLayout.AcpiAreaEnd, "ACPI");
        ulong dsdt = area.Put(Table("DSDT", 2, Dsdt.Body()), 16, "ACPI DSDT");
        ulong fadt = area.Put(Fadt(dsdt), 16, "ACPI FADT");
        ulong madt = area.Put(Madt(image.Config.Vcpus), 16, "ACPI MADT");
        ulong[] pointed = [fadt, madt];
        ulong rsdt = area.Put(Table("RSDT", 1, Pointers(pointed, 4)), 16, "ACPI RSDT");
        ulong xsdt = area.Put(Table("XSDT", 1, Pointers(pointed, 8)), 16, "ACPI XSDT");
        return area.Put(Rsdp(rsdt, xsdt), 16, "ACPI RSDP");
    }

    /// <summary>A table: the 36-byte header (signature, length, revision, checksum, OEM and creator ids), then the body.</summary>
    public static byte[] Table(string signature, byte revision, ReadOnlySpan<byte> body)
    {
        var t = new byte[HeaderSize + body.Length];
        Encoding.ASCII.GetBytes(signature, t);
        BinaryPrimitives.WriteUInt32LittleEndian(t.AsSpan(4), (uint)t.Length);
        t[8] = revision;
        Encoding.ASCII.GetBytes(OemId, t.AsSpan(10));
        Encoding.ASCII.GetBytes(OemTableId, t.AsSpan(16));
        BinaryPrimitives.WriteUInt32LittleEndian(t.AsSpan(24), 1);
        Encoding.ASCII.GetBytes("MCRO", t.AsSpan(28));
        BinaryPrimitives.WriteUInt32LittleEndian(t.AsSpan(32), 1);
        body.CopyTo(t.AsSpan(HeaderSize));
        TableChecksum.Fix(t, 9);
        return t;
    }

    private static byte[] Pointers(ulong[] addresses, int size)
    {
        var body = new byte[addresses.Length * size];
        for (int i = 0; i < addresses.Length; i++)
        {
            if (size == 4)
                BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(i * 4), (uint)addresses[i]);
            else
                BinaryPrimitives.WriteUInt64LittleEndian(body.AsSpan(i * 8), addresses[i]);
        }
        return body;
    }

    private static byte[] Fadt(ulong dsdt)
    {
        // Offsets are the FADT's, minus the 36-byte header.
        var b = new byte[FadtSize - HeaderSize];
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(40 - HeaderSize), (uint)dsdt);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(46 - HeaderSize), 9); // SCI_INT (unused when hardware-reduced)
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(109 - HeaderSize), BootArchLegacyDevices | BootArch8042);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(112 - HeaderSize), FadtWbinvd | FadtResetRegSupported | FadtHwReduced);
        // RESET_REG: system I/O, 8 bits, port 0x64; RESET_VALUE 0xfe pulses the i8042's reset line.
        b[116 - HeaderSize] = 1;
        b[117 - HeaderSize] = 8;
        b[119 - HeaderSize] = 1;
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(120 - HeaderSize), Dsdt.I8042CommandPort);
        b[128 - HeaderSize] = 0xFE;
        b[131 - HeaderSize] = 1; // FADT minor version (6.1)
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(140 - HeaderSize), dsdt);
        Encoding.ASCII.GetBytes("MicroHVM", b.AsSpan(268 - HeaderSize)); // hypervisor vendor identity
        return Table("FACP", FadtRevision, b);
    }

    private static byte[] Madt(int vcpus)
    {
        var body = new List<byte>();
        Span<byte> head = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(head, (uint)HvmLayout.LocalApicBase);
        BinaryPrimitives.WriteUInt32LittleEndian(head[4..], 1); // PCAT_COMPAT: dual 8259s present
        body.AddRange(head);
        for (int i = 0; i < vcpus; i++)
            body.AddRange([MadtLocalApic, 8, (byte)i, (byte)i, 1, 0, 0, 0]); // UID i, APIC id i, enabled
        byte ioApicId = (byte)vcpus;
        Span<byte> ioApic = [MadtIoApic, 12, ioApicId, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        BinaryPrimitives.WriteUInt32LittleEndian(ioApic[4..], (uint)HvmLayout.IoApicBase);
        body.AddRange(ioApic);
        body.AddRange([MadtInterruptOverride, 10, 0, 0, 2, 0, 0, 0, 0, 0]); // ISA IRQ 0 -> GSI 2, bus-default polarity
        return Table("APIC", 4, [.. body]);
    }

    private static byte[] Rsdp(ulong rsdt, ulong xsdt)
    {
        var r = new byte[RsdpSize];
        Encoding.ASCII.GetBytes("RSD PTR ", r);
        Encoding.ASCII.GetBytes(OemId, r.AsSpan(9));
        r[15] = 2;
        BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(16), (uint)rsdt);
        BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(20), RsdpSize);
        BinaryPrimitives.WriteUInt64LittleEndian(r.AsSpan(24), xsdt);
        TableChecksum.Fix(r.AsSpan(0, 20), 8);
        TableChecksum.Fix(r, 32);
        return r;
    }
}
