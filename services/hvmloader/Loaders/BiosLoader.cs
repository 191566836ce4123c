using Micro.HvmLoader.Boot;

namespace Micro.HvmLoader.Loaders;

/// <summary>
/// Loads a BIOS image (SeaBIOS's bios.bin): the whole image just below 4 GiB, where the reset vector
/// fetches, and its last 128 KiB also at 0xe0000..0xfffff, the legacy alias it runs from. The vCPU
/// starts in the reset state. The BIOS builds its own tables from fw_cfg (see <see cref="Bios.FwCfgItems"/>).
/// </summary>
public static class BiosLoader
{
    public const int Granule = 64 * 1024, MaxSize = 16 << 20, LegacyAlias = 128 * 1024;

    public static VcpuEntry Load(GuestImage image, ReadOnlySpan<byte> bios)
    {
        if (bios.Length == 0 || bios.Length % Granule != 0 || bios.Length > MaxSize)
            throw new InvalidImageException($"BIOS: {bios.Length} bytes is not a whole number of 64 KiB blocks up to 16 MiB");
        byte reset = bios[^16];
        if (reset is not (0xEA or 0xE9))
            throw new InvalidImageException($"BIOS: the reset vector (16 bytes before the end) starts with {reset:x2}, not a jump (ea or e9)");
        image.Write(HvmLayout.FourGiB - (ulong)bios.Length, bios, "BIOS image");
        int alias = Math.Min(bios.Length, LegacyAlias);
        image.Write(HvmLayout.BiosAreaEnd - (ulong)alias, bios[^alias..], "BIOS legacy alias");
        return new VcpuEntry(EntryMode.Reset, 0xFFF0);
    }
}
