namespace Micro.HvmLoader.Firmware.Acpi;

/// <summary>
/// The DSDT's AML body: the devices a Micro HVM guest has, under \_SB.PCI0 — the PCI host bridge
/// (config ports 0xcf8..0xcff, buses 0..255, the MMIO hole), the 16550 UART at 0x3f8 (IRQ 4), the
/// RTC at 0x70 (IRQ 8) and the i8042 at 0x60/0x64 (IRQ 1).
/// </summary>
public static class Dsdt
{
    public const ushort Com1Port = 0x3F8, RtcPort = 0x70, I8042DataPort = 0x60, I8042CommandPort = 0x64;
    public const int Com1Irq = 4, RtcIrq = 8, KeyboardIrq = 1;

    public static byte[] Body()
    {
        var pciCrs = new ResourceTemplate()
            .Word(2, 0x00, 0xFF)          // bus numbers
            .Io(0xCF8, 8)                 // config mechanism #1
            .Word(1, 0x0000, 0x0CF7)      // I/O below the config ports
            .Word(1, 0x0D00, 0xFFFF)      // and above them
            .DWordMemory((uint)HvmLayout.MmioHoleStart, (uint)HvmLayout.ReservedHighStart - 1);
        return Aml.Scope("\\_SB",
            Aml.Device("PCI0",
                Aml.Name("_HID", Aml.EisaId("PNP0A03")),
                Aml.Name("_UID", Aml.Integer(0)),
                Aml.Name("_BBN", Aml.Integer(0)),
                Aml.Name("_CRS", pciCrs.ToBuffer()),
                Aml.Device("COM1",
                    Aml.Name("_HID", Aml.EisaId("PNP0501")),
                    Aml.Name("_UID", Aml.Integer(1)),
                    Aml.Name("_CRS", new ResourceTemplate().Io(Com1Port, 8).Irq(Com1Irq).ToBuffer())),
                Aml.Device("RTC",
                    Aml.Name("_HID", Aml.EisaId("PNP0B00")),
                    Aml.Name("_CRS", new ResourceTemplate().Io(RtcPort, 2).Irq(RtcIrq).ToBuffer())),
                Aml.Device("KBD",
                    Aml.Name("_HID", Aml.EisaId("PNP0303")),
                    Aml.Name("_CRS", new ResourceTemplate().Io(I8042DataPort, 1).Io(I8042CommandPort, 1).Irq(KeyboardIrq).ToBuffer()))));
    }
}
