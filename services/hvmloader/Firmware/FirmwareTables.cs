using Micro.HvmLoader.Firmware.Acpi;
using Micro.HvmLoader.Firmware.Mp;
using Micro.HvmLoader.Firmware.Smbios;

namespace Micro.HvmLoader.Firmware;

/// <summary>Where the firmware tables of one guest were put.</summary>
public sealed record FirmwareTables(ulong Rsdp, ulong SmbiosEntry, ulong MpFloatingPointer)
{
    /// <summary>Builds ACPI, SMBIOS and MP tables for the image's configuration into its BIOS area.</summary>
    public static FirmwareTables Build(GuestImage image, Guid uuid) =>
        new(AcpiTables.Build(image), SmbiosTables.Build(image, uuid), MpTable.Build(image));
}
