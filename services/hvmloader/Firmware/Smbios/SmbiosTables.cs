using System.Buffers.Binary;
using System.Text;

namespace Micro.HvmLoader.Firmware.Smbios;

/// <summary>
/// SMBIOS 2.8 (DMTF DSP0134): the 31-byte "_SM_" entry point and the structures BIOS (0), System
/// (1), one Processor (4) per vCPU, Physical Memory Array (16), Memory Device (17), System Boot (32)
/// and End-of-Table (127), placed in the SMBIOS part of the BIOS area.
/// </summary>
public static class SmbiosTables
{
    public const int EntryPointSize = 0x1F;
    public const byte Major = 2, Minor = 8;

    /// <summary>Writes the table and entry point; returns the entry point's address.</summary>
    public static ulong Build(GuestImage image, Guid uuid)
    {
        var structures = Structures(image.Config, uuid);
        byte[] table = [.. structures.SelectMany(s => s)];
        var area = new TableArea(image, HvmLayout.SmbiosArea, HvmLayout.SmbiosAreaEnd, "SMBIOS");
        ulong entry = HvmLayout.SmbiosArea;
        ulong tableAt = entry + 0x20;
        area.Put(EntryPoint(tableAt, table.Length, structures.Count, structures.Max(s => s.Length)), 16, "SMBIOS entry point");
        area.Put(table, 16, "SMBIOS structures");
        return entry;
    }

    private static byte[] EntryPoint(ulong table, int tableLength, int count, int largest)
    {
        var e = new byte[EntryPointSize];
        Encoding.ASCII.GetBytes("_SM_", e);
        e[5] = EntryPointSize;
        e[6] = Major;
        e[7] = Minor;
        BinaryPrimitives.WriteUInt16LittleEndian(e.AsSpan(8), (ushort)largest);
        Encoding.ASCII.GetBytes("_DMI_", e.AsSpan(0x10));
        BinaryPrimitives.WriteUInt16LittleEndian(e.AsSpan(0x16), (ushort)tableLength);
        BinaryPrimitives.WriteUInt32LittleEndian(e.AsSpan(0x18), (uint)table);
        BinaryPrimitives.WriteUInt16LittleEndian(e.AsSpan(0x1C), (ushort)count);
        e[0x1E] = (Major << 4) | Minor;
        TableChecksum.Fix(e.AsSpan(0x10, 0x0F), 5);
        TableChecksum.Fix(e, 4);
        return e;
    }

    private static List<byte[]> Structures(GuestConfig config, Guid uuid)
    {
        ushort handle = 0;
        var list = new List<byte[]>();

        var bios = new SmbiosStructure(0, 0x18, handle++).String(4, "Micro").String(5, "hvmloader").String(8, "01/01/2026");
        BinaryPrimitives.WriteUInt16LittleEndian(bios.Formatted[6..], 0xE800);
        bios.Formatted[9] = 0; // ROM size: 64 KiB
        BinaryPrimitives.WriteUInt64LittleEndian(bios.Formatted[10..], 1UL << 3); // characteristics not supported
        bios.Formatted[0x13] = 1 << 4; // extension 2: virtual machine
        bios.Formatted[0x14] = 1;
        bios.Formatted[0x16] = 0xFF; // no embedded controller
        bios.Formatted[0x17] = 0xFF;
        list.Add(bios.ToBytes());

        var system = new SmbiosStructure(1, 0x1B, handle++).String(4, "Micro").String(5, "HVM domU").String(6, "1").String(7, uuid.ToString()).String(0x19, "").String(0x1A, "Micro");
        uuid.TryWriteBytes(system.Formatted[8..]);
        system.Formatted[0x18] = 6; // wake-up: power switch
        list.Add(system.ToBytes());

        for (int i = 0; i < config.Vcpus; i++)
        {
            var cpu = new SmbiosStructure(4, 0x2A, handle++).String(4, $"CPU {i}").String(7, "Micro");
            cpu.Formatted[5] = 3;    // central processor
            cpu.Formatted[6] = 0xFE; // family: see family 2
            cpu.Formatted[0x18] = 0x41; // socket populated, CPU enabled
            cpu.Formatted[0x19] = 1; // upgrade: other
            BinaryPrimitives.WriteUInt16LittleEndian(cpu.Formatted[0x1A..], 0xFFFF); // no caches described
            BinaryPrimitives.WriteUInt16LittleEndian(cpu.Formatted[0x1C..], 0xFFFF);
            BinaryPrimitives.WriteUInt16LittleEndian(cpu.Formatted[0x1E..], 0xFFFF);
            cpu.Formatted[0x23] = cpu.Formatted[0x24] = cpu.Formatted[0x25] = 1; // one core, enabled, one thread
            BinaryPrimitives.WriteUInt16LittleEndian(cpu.Formatted[0x28..], 1); // family 2: other
            list.Add(cpu.ToBytes());
        }

        ulong kib = config.MemoryBytes / 1024;
        ushort arrayHandle = handle++;
        var array = new SmbiosStructure(16, 0x17, arrayHandle);
        array.Formatted[4] = 3; // system board
        array.Formatted[5] = 3; // system memory
        array.Formatted[6] = 3; // no error correction
        BinaryPrimitives.WriteUInt32LittleEndian(array.Formatted[7..], kib < 0x80000000 ? (uint)kib : 0x80000000);
        BinaryPrimitives.WriteUInt16LittleEndian(array.Formatted[11..], 0xFFFE);
        BinaryPrimitives.WriteUInt16LittleEndian(array.Formatted[13..], 1);
        BinaryPrimitives.WriteUInt64LittleEndian(array.Formatted[15..], config.MemoryBytes); // extended capacity in bytes
        list.Add(array.ToBytes());

        ulong mib = config.MemoryBytes >> 20;
        var dimm = new SmbiosStructure(17, 0x22, handle++).String(16, "DIMM 0");
        BinaryPrimitives.WriteUInt16LittleEndian(dimm.Formatted[4..], arrayHandle);
        BinaryPrimitives.WriteUInt16LittleEndian(dimm.Formatted[6..], 0xFFFE);
        BinaryPrimitives.WriteUInt16LittleEndian(dimm.Formatted[8..], 64);
        BinaryPrimitives.WriteUInt16LittleEndian(dimm.Formatted[10..], 64);
        BinaryPrimitives.WriteUInt16LittleEndian(dimm.Formatted[12..], mib < 0x7FFF ? (ushort)mib : (ushort)0x7FFF);
        dimm.Formatted[14] = 9; // DIMM
        dimm.Formatted[18] = 7; // RAM
        BinaryPrimitives.WriteUInt32LittleEndian(dimm.Formatted[0x1C..], mib < 0x7FFF ? 0 : (uint)mib);
        list.Add(dimm.ToBytes());

        list.Add(new SmbiosStructure(32, 0x0B, handle++).ToBytes()); // boot status 0: no errors
        list.Add(new SmbiosStructure(127, 4, handle).ToBytes());
        return list;
    }
}
