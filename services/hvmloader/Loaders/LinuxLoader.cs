using System.Buffers.Binary;
using Micro.HvmLoader.Boot;

namespace Micro.HvmLoader.Loaders;

/// <summary>
/// Loads a Linux bzImage per the x86 boot protocol (Documentation/arch/x86/boot.rst), version 2.12
/// or later, through its 64-bit entry: checks the setup header, puts the protected-mode kernel at
/// its preferred address (or, if relocatable, the lowest aligned free RAM), the initrd as high as
/// initrd_addr_max allows, and fills the zero page (setup header, loader type, command line,
/// initrd, E820 table, RSDP). Enters at load address + 0x200 in 64-bit mode with rsi = zero page.
/// </summary>
public static class LinuxLoader
{
    public const ushort BootFlag = 0xAA55, MinVersion = 0x020C;
    public const uint HeaderSignature = 0x53726448; // "HdrS"
    public const byte LoadedHigh = 1;
    public const ushort XlfKernel64 = 1;
    public const int MaxE820Entries = 128;

    // Setup header and zero-page offsets.
    private const int SetupSects = 0x1F1, SysSize = 0x1F4, BootFlagAt = 0x1FE, JumpLength = 0x201, Header = 0x202, Version = 0x206,
        TypeOfLoader = 0x210, LoadFlags = 0x211, RamdiskImage = 0x218, RamdiskSize = 0x21C, CmdLinePtr = 0x228, InitrdAddrMax = 0x22C,
        KernelAlignment = 0x230, Relocatable = 0x234, XLoadFlags = 0x236, CmdlineSize = 0x238, PrefAddress = 0x258, InitSize = 0x260,
        AcpiRsdpAddr = 0x070, ExtRamdiskImage = 0x0C0, ExtRamdiskSize = 0x0C4, ExtCmdLinePtr = 0x0C8, E820Entries = 0x1E8, E820Table = 0x2D0,
        HeaderEnd = 0x268;

    public static bool IsBzImage(ReadOnlySpan<byte> kernel) =>
        kernel.Length >= HeaderEnd && BinaryPrimitives.ReadUInt32LittleEndian(kernel[Header..]) == HeaderSignature;

    /// <summary>Where things went, for the xenstore keys and the tests.</summary>
    public sealed record Placement(ulong Kernel, ulong KernelSize, ulong Initrd, ulong InitrdSize, ushort Version);

    public static (VcpuEntry Entry, Placement Placement) Load(GuestImage image, ReadOnlySpan<byte> kernel, ReadOnlySpan<byte> initrd, string commandLine, ulong rsdp)
    {
        if (kernel.Length < HeaderEnd)
            throw new InvalidImageException($"bzImage: {kernel.Length} bytes is shorter than the setup header (0x{HeaderEnd:x})");
        if (U16(kernel, BootFlagAt) != BootFlag)
            throw new InvalidImageException($"bzImage: boot_flag {U16(kernel, BootFlagAt):x} is not aa55");
        if (U32(kernel, Header) != HeaderSignature)
            throw new InvalidImageException("bzImage: no \"HdrS\" setup header signature at 0x202");
        ushort version = U16(kernel, Version);
        if (version < MinVersion)
            throw new InvalidImageException($"bzImage: boot protocol {version >> 8}.{version & 0xFF} is older than 2.12 (needed for the 64-bit entry)");
        int setupSects = kernel[SetupSects] == 0 ? 4 : kernel[SetupSects];
        int setupSize = (setupSects + 1) * 512;
        if (setupSize >= kernel.Length)
            throw new InvalidImageException($"bzImage: setup_sects {setupSects} puts the kernel at {setupSize}, past the file's {kernel.Length} bytes");
        ulong payload = (ulong)(kernel.Length - setupSize);
        ulong sysSize = (ulong)U32(kernel, SysSize) * 16;
        if (sysSize == 0 || sysSize > payload)
            throw new InvalidImageException($"bzImage: syssize says {sysSize} bytes of kernel but the file holds {payload}");
        if ((kernel[LoadFlags] & LoadedHigh) == 0)
            throw new InvalidImageException("bzImage: loadflags lack LOADED_HIGH: a zImage loaded at 0x10000 is not supported");
        if ((U16(kernel, XLoadFlags) & XlfKernel64) == 0)
            throw new InvalidImageException("bzImage: xloadflags lack XLF_KERNEL_64: no 64-bit entry point");
        uint alignment = U32(kernel, KernelAlignment);
        if (alignment < HvmLayout.PageSize || (alignment & (alignment - 1)) != 0)
            throw new InvalidImageException($"bzImage: kernel_alignment {alignment:x} is not a power of two of at least a page");
        int headerEnd = Header + kernel[JumpLength];
        if (headerEnd > HeaderEnd + 0x100 || headerEnd < HeaderEnd)
            throw new InvalidImageException($"bzImage: the setup header's length byte says it ends at {headerEnd:x}");
        ulong initSize = Math.Max(U32(kernel, InitSize), payload);
        ulong pref = U64(kernel, PrefAddress);
        uint cmdlineSize = U32(kernel, CmdlineSize);

        ulong load;
        if ((pref & (HvmLayout.PageSize - 1)) == 0 && image.IsRam(pref, initSize) && image.FindFreeRam(pref, initSize, HvmLayout.PageSize) == pref)
            load = pref;
        else if (kernel[Relocatable] != 0)
            load = image.FindFreeRam(HvmLayout.HighMemoryStart, initSize, alignment, HvmLayout.FourGiB)
                ?? throw new InvalidImageException($"bzImage: no {alignment:x}-aligned free RAM for the kernel's init_size of {initSize} bytes");
        else
            throw new InvalidImageException($"bzImage: not relocatable and its pref_address {pref:x} (+{initSize:x}) is not free RAM");
        kernel[setupSize..].CopyTo(image.Allocate(load, initSize, "Linux kernel"));

        ulong cmdline = CommandLine.Write(image, commandLine, (int)Math.Min(cmdlineSize + 1, (uint)HvmLayout.CommandLineMax));

        ulong initrdAt = 0;
        if (!initrd.IsEmpty)
        {
            ulong max = Math.Min((ulong)U32(kernel, InitrdAddrMax) + 1, HvmLayout.LowMemoryEnd(image.Config.MemoryBytes));
            initrdAt = HighestFreeRam(image, (ulong)initrd.Length, max)
                ?? throw new InvalidImageException($"initrd: {initrd.Length} bytes do not fit free RAM below initrd_addr_max {max - 1:x}");
            image.Write(initrdAt, initrd, "initrd");
        }

        var zero = image.Allocate(HvmLayout.BootInfo, HvmLayout.PageSize, "Linux zero page");
        kernel[SetupSects..headerEnd].CopyTo(zero[SetupSects..]);
        zero[TypeOfLoader] = 0xFF; // undefined loader
        BinaryPrimitives.WriteUInt32LittleEndian(zero[CmdLinePtr..], (uint)cmdline);
        BinaryPrimitives.WriteUInt32LittleEndian(zero[ExtCmdLinePtr..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(zero[RamdiskImage..], (uint)initrdAt);
        BinaryPrimitives.WriteUInt32LittleEndian(zero[RamdiskSize..], (uint)initrd.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(zero[ExtRamdiskImage..], (uint)(initrdAt >> 32));
        BinaryPrimitives.WriteUInt32LittleEndian(zero[ExtRamdiskSize..], 0);
        BinaryPrimitives.WriteUInt64LittleEndian(zero[AcpiRsdpAddr..], rsdp);
        if (image.Map.Length > MaxE820Entries)
            throw new InvalidImageException($"zero page: {image.Map.Length} E820 entries exceed {MaxE820Entries}");
        zero[E820Entries] = (byte)image.Map.Length;
        for (int i = 0; i < image.Map.Length; i++)
        {
            var e = zero[(E820Table + i * E820Entry.Size)..];
            BinaryPrimitives.WriteUInt64LittleEndian(e, image.Map[i].Base);
            BinaryPrimitives.WriteUInt64LittleEndian(e[8..], image.Map[i].Length);
            BinaryPrimitives.WriteUInt32LittleEndian(e[16..], (uint)image.Map[i].Type);
        }
        var entry = BootGdt.Long64(image, load + 0x200, HvmLayout.BootInfo);
        return (entry, new Placement(load, initSize, initrdAt, (ulong)initrd.Length, version));
    }

    /// <summary>The highest page-aligned free RAM range of <paramref name="length"/> bytes ending at or below <paramref name="limit"/>.</summary>
    private static ulong? HighestFreeRam(GuestImage image, ulong length, ulong limit)
    {
        ulong? best = null;
        foreach (var e in image.Map)
        {
            if (e.Type != E820Type.Ram || e.Base >= limit)
                continue;
            ulong top = Math.Min(e.End, limit);
            if (top < length)
                continue;
            for (ulong at = (top - length) & ~(HvmLayout.PageSize - 1); at >= e.Base && at >= HvmLayout.HighMemoryStart; at -= HvmLayout.PageSize)
            {
                var clash = image.Regions.FirstOrDefault(r => at < r.End && r.Gpa < at + length);
                if (clash is null)
                {
                    best = best is null ? at : Math.Max(best.Value, at);
                    break;
                }
                if (clash.Gpa < length)
                    break;
                at = ((clash.Gpa - length) & ~(HvmLayout.PageSize - 1)) + HvmLayout.PageSize;
            }
        }
        return best;
    }

    private static ushort U16(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt16LittleEndian(b[at..]);
    private static uint U32(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt32LittleEndian(b[at..]);
    private static ulong U64(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt64LittleEndian(b[at..]);
}
