using System.Buffers.Binary;
using System.Text;

namespace Micro.HvmLoader.Firmware.Mp;

/// <summary>
/// The Intel MultiProcessor Specification 1.4 tables: the 16-byte "_MP_" floating pointer and the
/// "PCMP" configuration table with one processor entry per vCPU (vCPU 0 the BSP), the ISA and PCI
/// buses, the IOAPIC, ISA IRQs 0..15 routed to its pins (IRQ 0 to pin 2), and ExtINT/NMI to LINT0/1.
/// </summary>
public static class MpTable
{
    public const int FloatingPointerSize = 16, HeaderSize = 44;
    public const byte Processor = 0, Bus = 1, IoApic = 2, IoInterrupt = 3, LocalInterrupt = 4;
    public const byte IsaBus = 0, PciBus = 1;

    /// <summary>Writes the tables; returns the floating pointer's address.</summary>
    public static ulong Build(GuestImage image)
    {
        var area = new TableArea(image, HvmLayout.MpArea, HvmLayout.MpAreaEnd, "MP");
        ulong pointer = HvmLayout.MpArea;
        ulong table = pointer + FloatingPointerSize;
        area.Put(FloatingPointer(table), 16, "MP floating pointer");
        area.Put(Configuration(image.Config.Vcpus), 16, "MP configuration table");
        return pointer;
    }

    private static byte[] FloatingPointer(ulong table)
    {
        var p = new byte[FloatingPointerSize];
        Encoding.ASCII.GetBytes("_MP_", p);
        BinaryPrimitives.WriteUInt32LittleEndian(p.AsSpan(4), (uint)table);
        p[8] = 1; // length in 16-byte units
        p[9] = 4; // spec revision 1.4
        TableChecksum.Fix(p, 10);
        return p;
    }

    private static byte[] Configuration(int vcpus)
    {
        var entries = new List<byte>();
        int count = 0;
        for (int i = 0; i < vcpus; i++)
        {
            var e = new byte[20];
            e[0] = Processor;
            e[1] = (byte)i;   // local APIC id
            e[2] = 0x14;      // local APIC version
            e[3] = (byte)(1 | (i == 0 ? 2 : 0)); // enabled, BSP
            BinaryPrimitives.WriteUInt32LittleEndian(e.AsSpan(4), 0x600); // family 6
            BinaryPrimitives.WriteUInt32LittleEndian(e.AsSpan(8), 0x201); // FPU, APIC
            entries.AddRange(e);
            count++;
        }
        entries.AddRange([Bus, IsaBus, .. "ISA   "u8]);
        entries.AddRange([Bus, PciBus, .. "PCI   "u8]);
        count += 2;
        byte ioApicId = (byte)vcpus;
        var io = new byte[8];
        io[0] = IoApic;
        io[1] = ioApicId;
        io[2] = 0x11;
        io[3] = 1; // usable
        BinaryPrimitives.WriteUInt32LittleEndian(io.AsSpan(4), (uint)HvmLayout.IoApicBase);
        entries.AddRange(io);
        count++;
        for (byte irq = 0; irq < 16; irq++)
        {
            if (irq == 2)
                continue; // the cascade; IRQ 0 takes its pin
            entries.AddRange([IoInterrupt, 0, 0, 0, IsaBus, irq, ioApicId, irq == 0 ? (byte)2 : irq]);
            count++;
        }
        entries.AddRange([LocalInterrupt, 3, 0, 0, IsaBus, 0, 0xFF, 0]); // ExtINT -> LINT0 of all
        entries.AddRange([LocalInterrupt, 1, 0, 0, IsaBus, 0, 0xFF, 1]); // NMI -> LINT1 of all
        count += 2;

        var t = new byte[HeaderSize + entries.Count];
        Encoding.ASCII.GetBytes("PCMP", t);
        BinaryPrimitives.WriteUInt16LittleEndian(t.AsSpan(4), (ushort)t.Length);
        t[6] = 4;
        Encoding.ASCII.GetBytes("MICRO   ", t.AsSpan(8));
        Encoding.ASCII.GetBytes("HVM         ", t.AsSpan(16));
        BinaryPrimitives.WriteUInt16LittleEndian(t.AsSpan(34), (ushort)count);
        BinaryPrimitives.WriteUInt32LittleEndian(t.AsSpan(36), (uint)HvmLayout.LocalApicBase);
        entries.CopyTo(t, HeaderSize);
        TableChecksum.Fix(t, 7);
        return t;
    }
}
