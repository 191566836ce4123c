using System.Buffers.Binary;

namespace Micro.HvmLoader.Firmware.Acpi;

/// <summary>
/// A _CRS resource template (ACPI spec, "Resource Data Types for ACPI"): small I/O and IRQ
/// descriptors, large Word/DWord address-space descriptors, and the end tag.
/// </summary>
public sealed class ResourceTemplate
{
    private readonly List<byte> _bytes = [];

    // Address-space general flags: producer, positive decode, min and max fixed.
    private const byte ProducerFixed = 0x0C;

    /// <summary>IO(Decode16, port, port, 1, length): a fixed range of ports.</summary>
    public ResourceTemplate Io(ushort port, byte length)
    {
        _bytes.AddRange([0x47, 0x01, (byte)port, (byte)(port >> 8), (byte)port, (byte)(port >> 8), 0x01, length]);
        return this;
    }

    /// <summary>IRQNoFlags(){irq}: edge, active high, exclusive.</summary>
    public ResourceTemplate Irq(int irq)
    {
        ushort mask = (ushort)(1 << irq);
        _bytes.AddRange([0x22, (byte)mask, (byte)(mask >> 8)]);
        return this;
    }

    /// <summary>WordBusNumber / WordIO: a Word address-space descriptor (type 2 bus numbers, 1 I/O).</summary>
    public ResourceTemplate Word(byte resourceType, ushort min, ushort max)
    {
        Span<byte> d = stackalloc byte[16];
        d[0] = 0x88;
        BinaryPrimitives.WriteUInt16LittleEndian(d[1..], 13);
        d[3] = resourceType;
        d[4] = ProducerFixed;
        d[5] = resourceType == 1 ? (byte)0x03 : (byte)0; // I/O: ISA and non-ISA ranges
        BinaryPrimitives.WriteUInt16LittleEndian(d[8..], min);
        BinaryPrimitives.WriteUInt16LittleEndian(d[10..], max);
        BinaryPrimitives.WriteUInt16LittleEndian(d[14..], (ushort)(max - min + 1));
        _bytes.AddRange(d);
        return this;
    }

    /// <summary>DWordMemory(ResourceProducer, PosDecode, MinFixed, MaxFixed, NonCacheable, ReadWrite): a window of MMIO.</summary>
    public ResourceTemplate DWordMemory(uint min, uint max)
    {
        Span<byte> d = stackalloc byte[26];
        d[0] = 0x87;
        BinaryPrimitives.WriteUInt16LittleEndian(d[1..], 23);
        d[3] = 0; // memory
        d[4] = ProducerFixed;
        d[5] = 0x01; // read/write, non-cacheable
        BinaryPrimitives.WriteUInt32LittleEndian(d[10..], min);
        BinaryPrimitives.WriteUInt32LittleEndian(d[14..], max);
        BinaryPrimitives.WriteUInt32LittleEndian(d[22..], max - min + 1);
        _bytes.AddRange(d);
        return this;
    }

    /// <summary>The template as an AML Buffer, closed by an end tag (checksum 0: "treat as correct").</summary>
    public byte[] ToBuffer() => Aml.Buffer([.. _bytes, 0x79, 0x00]);
}
