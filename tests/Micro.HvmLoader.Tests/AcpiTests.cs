using System.Buffers.Binary;
using Micro.HvmLoader.Tests.Readers;
using Micro.Testing;

namespace Micro.HvmLoader.Tests;

public sealed class AcpiTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(128)]
    public void The_madt_has_one_local_apic_per_vcpu_and_one_ioapic(int vcpus)
    {
        var (_, tables, mem) = FirmwareFixture.Build(256UL << 20, vcpus);
        var (rsdp, xsdt, rsdt) = AcpiReader.Read(mem);
        Assert.Equal(tables.Rsdp, rsdp);
        Assert.Equal(xsdt.Select(t => t.Address), rsdt);
        var madt = Assert.Single(xsdt, t => t.Signature == "APIC");
        Assert.Equal(0xFEE00000u, BitConverter.ToUInt32(madt.Bytes, 36));
        var entries = AcpiReader.MadtEntries(madt);

        var lapics = entries.Where(e => e.Type == 0).Select(e => e.Entry).ToList();
        Assert.Equal(vcpus, lapics.Count);
        Assert.All(lapics, e => Assert.Equal(8, e.Length));
        Assert.All(lapics, e => Assert.Equal(1u, BitConverter.ToUInt32(e, 4) & 1));
        Assert.Equal(vcpus, lapics.Select(e => e[3]).Distinct().Count());
        Assert.Equal(vcpus, lapics.Select(e => e[2]).Distinct().Count());

        var ioapic = Assert.Single(entries, e => e.Type == 1).Entry;
        Assert.Equal(12, ioapic.Length);
        Assert.Equal(0xFEC00000u, BitConverter.ToUInt32(ioapic, 4));
        Assert.Equal(0u, BitConverter.ToUInt32(ioapic, 8));
        Assert.DoesNotContain(lapics, e => e[3] == ioapic[2]);
    }

    [Fact]
    public void The_fadt_points_at_the_dsdt_and_describes_a_hardware_reduced_pc()
    {
        var (_, _, mem) = FirmwareFixture.Build(64UL << 20, 2);
        var (_, xsdt, _) = AcpiReader.Read(mem);
        Assert.Equal(["FACP", "APIC"], xsdt.Select(t => t.Signature));
        var fadt = xsdt[0];
        Assert.Equal(276, fadt.Bytes.Length);
        Assert.Equal(6, fadt.Bytes[8]);
        ulong xDsdt = BitConverter.ToUInt64(fadt.Bytes, 140);
        Assert.Equal(xDsdt, BitConverter.ToUInt32(fadt.Bytes, 40));
        var dsdt = AcpiReader.Table(mem, xDsdt, "DSDT");
        Assert.True(dsdt.Bytes.Length > 100);
        uint flags = BitConverter.ToUInt32(fadt.Bytes, 112);
        Assert.NotEqual(0u, flags & (1u << 20)); // HW_REDUCED_ACPI
        Assert.NotEqual(0u, flags & (1u << 10)); // RESET_REG_SUP
        Assert.Equal(3, BinaryPrimitives.ReadUInt16LittleEndian(fadt.Bytes.AsSpan(109))); // legacy devices + 8042
        Assert.Equal(1, fadt.Bytes[116]);       // reset register in system I/O
        Assert.Equal(0x64UL, BitConverter.ToUInt64(fadt.Bytes, 120));
        Assert.Equal(0xFE, fadt.Bytes[128]);
    }

    [Fact]
    public void Every_acpi_table_lies_in_reserved_memory()
    {
        var (image, _, mem) = FirmwareFixture.Build(64UL << 20, 1);
        var (rsdp, xsdt, _) = AcpiReader.Read(mem);
        foreach (var t in xsdt)
            Assert.False(image.IsRam(t.Address, (ulong)t.Bytes.Length), $"{t.Signature} is in RAM");
        Assert.False(image.IsRam(rsdp, 36));
    }

    [Fact]
    public void Iasl_disassembles_the_dsdt_into_the_devices_present()
    {
        string iasl = Requirements.Tool("iasl");
        var (_, _, mem) = FirmwareFixture.Build(64UL << 20, 1);
        var (_, xsdt, _) = AcpiReader.Read(mem);
        var dsdt = AcpiReader.Table(mem, BitConverter.ToUInt64(xsdt[0].Bytes, 140), "DSDT");
        string dir = Directory.CreateTempSubdirectory("micro-dsdt-").FullName;
        try
        {
            string aml = Path.Combine(dir, "dsdt.aml");
            File.WriteAllBytes(aml, dsdt.Bytes);
            using var p = new ChildProcess(iasl, ["-d", aml], workingDirectory: dir);
            int exit = p.WaitForExit(TimeSpan.FromSeconds(60));
            string output = p.Stdout + p.Stderr;
            Assert.True(exit == 0, $"iasl -d failed ({exit}):\n{output}");
            string dsl = File.ReadAllText(Path.Combine(dir, "dsdt.dsl"));
            Assert.DoesNotContain("Error", output, StringComparison.Ordinal);
            foreach (string expected in new[] { "Device (PCI0)", "EisaId (\"PNP0A03\")", "Device (COM1)", "EisaId (\"PNP0501\")", "0x03F8,", "IRQNoFlags ()\n                        {4}",
                "Device (RTC)", "EisaId (\"PNP0B00\")", "Device (KBD)", "EisaId (\"PNP0303\")", "0x0064,", "WordBusNumber", "0xF0000000," })
                Assert.True(dsl.Contains(expected, StringComparison.Ordinal), $"'{expected}' missing from:\n{dsl}");

            // Round trip: the disassembly compiles back without errors.
            using var c = new ChildProcess(iasl, ["-p", Path.Combine(dir, "again"), Path.Combine(dir, "dsdt.dsl")], workingDirectory: dir);
            int cexit = c.WaitForExit(TimeSpan.FromSeconds(60));
            Assert.True(cexit == 0, $"iasl could not compile the disassembly ({cexit}):\n{c.Stdout}{c.Stderr}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
