namespace Micro.HvmLoader;

/// <summary>What to boot, as the xl.cfg keys say: a kernel (with ramdisk and cmdline) or a BIOS image (firmware).</summary>
public sealed record BootSource(byte[] Image, bool IsBios = false, byte[]? Ramdisk = null, string CommandLine = "")
{
    public static BootSource Kernel(byte[] kernel, byte[]? ramdisk = null, string commandLine = "") => new(kernel, false, ramdisk, commandLine);

    public static BootSource Bios(byte[] bios) => new(bios, true);
}
