using System.Globalization;
using Micro.HvmLoader.Bios;
using Micro.HvmLoader.Boot;
using Micro.HvmLoader.Firmware;
using Micro.HvmLoader.Firmware.Smbios;
using Micro.HvmLoader.Loaders;

namespace Micro.HvmLoader;

/// <summary>
/// Builds a guest before its first instruction. A kernel boot gets the E820 map, ACPI, SMBIOS and
/// MP tables, and is loaded by the first loader that recognises it: a bzImage (Linux boot protocol),
/// a multiboot header, or an ELF with a PVH entry note. A BIOS boot gets the image at the top of
/// 4 GiB and fw_cfg items to build its own tables from.
/// </summary>
public static class HvmLoader
{
    public static HvmBuild Build(GuestConfig config, BootSource source, Guid uuid)
    {
        var image = new GuestImage(config);
        if (source.IsBios)
        {
            var entry = BiosLoader.Load(image, source.Image);
            var fwcfg = new FwCfgItems(config, image.Map);
            var tables = new GuestImage(config);
            SmbiosTables.Build(tables, uuid);
            if (tables.TryRead(HvmLayout.SmbiosArea, SmbiosTables.EntryPointSize, out var anchor)
                && tables.TryRead(BitConverter.ToUInt32(anchor[0x18..]), BitConverter.ToUInt16(anchor[0x16..]), out var structures))
            {
                fwcfg.AddFile("etc/smbios/smbios-anchor", anchor.ToArray());
                fwcfg.AddFile("etc/smbios/smbios-tables", structures.ToArray());
            }
            return new(image, entry, "bios", null, fwcfg, Keys(image, entry, "bios", "seabios", null));
        }

        var firmware = FirmwareTables.Build(image, uuid);
        byte[] ramdisk = source.Ramdisk ?? [];
        string protocol;
        VcpuEntry boot;
        var extra = new List<KeyValuePair<string, string>>();
        if (LinuxLoader.IsBzImage(source.Image))
        {
            var (e, placed) = LinuxLoader.Load(image, source.Image, ramdisk, source.CommandLine, firmware.Rsdp);
            (protocol, boot) = ("linux", e);
            extra.Add(Key("kernel/address", placed.Kernel));
            extra.Add(Key("kernel/size", placed.KernelSize));
            if (placed.InitrdSize > 0)
            {
                extra.Add(Key("initrd/address", placed.Initrd));
                extra.Add(Key("initrd/size", placed.InitrdSize));
            }
        }
        else if (MultibootLoader.HasHeader(source.Image))
        {
            if (ramdisk.Length > 0)
                throw new InvalidImageException("multiboot: modules (a ramdisk) are not supported");
            (protocol, boot) = ("multiboot", MultibootLoader.Load(image, source.Image, source.CommandLine));
        }
        else if (ElfImage.HasMagic(source.Image))
        {
            if (PvhLoader.FindEntry(ElfImage.Parse(source.Image), source.Image) is null)
                throw new InvalidImageException($"kernel: an ELF with neither a multiboot header in its first {MultibootLoader.SearchLength} bytes nor a XEN_ELFNOTE_PHYS32_ENTRY note");
            (protocol, boot) = ("pvh", PvhLoader.Load(image, source.Image, ramdisk, source.CommandLine, firmware.Rsdp));
        }
        else
            throw new InvalidImageException("kernel: neither a bzImage, a multiboot kernel nor an ELF with a PVH entry");
        return new(image, boot, protocol, firmware, null, [.. Keys(image, boot, protocol, "none", firmware), .. extra]);
    }

    private static List<KeyValuePair<string, string>> Keys(GuestImage image, VcpuEntry entry, string protocol, string bios, FirmwareTables? tables)
    {
        var keys = new List<KeyValuePair<string, string>>
        {
            KeyValuePair.Create("hvmloader/bios", bios),
            KeyValuePair.Create("hvmloader/boot-protocol", protocol),
            Key("hvmloader/entry", entry.Rip),
            KeyValuePair.Create("hvmloader/vcpus", image.Config.Vcpus.ToString(CultureInfo.InvariantCulture)),
            Key("hvmloader/memory/low-end", HvmLayout.LowMemoryEnd(image.Config.MemoryBytes)),
            Key("hvmloader/memory/high-size", HvmLayout.HighMemorySize(image.Config.MemoryBytes)),
            KeyValuePair.Create("hvmloader/e820", string.Join(' ', image.Map.Select(e => $"{e.Base:x}:{e.Length:x}:{(uint)e.Type}"))),
        };
        if (tables is not null)
        {
            keys.Add(Key("hvmloader/acpi/rsdp", tables.Rsdp));
            keys.Add(Key("hvmloader/smbios/entry", tables.SmbiosEntry));
            keys.Add(Key("hvmloader/mp/floating-pointer", tables.MpFloatingPointer));
        }
        return keys;
    }

    private static KeyValuePair<string, string> Key(string key, ulong value) => KeyValuePair.Create(key.StartsWith("hvmloader/", StringComparison.Ordinal) ? key : "hvmloader/" + key, $"0x{value:x}");
}
