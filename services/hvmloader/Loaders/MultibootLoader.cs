using System.Buffers.Binary;
using Micro.HvmLoader.Boot;

namespace Micro.HvmLoader.Loaders;

/// <summary>
/// Loads a Multiboot (version 0.6.96) kernel: finds and checks the header in the first 8192 bytes,
/// loads the ELF segments (or the a.out-kludge range when flag 16 is set), writes the multiboot
/// information (memory sizes, command line, E820-style memory map, loader name), and enters in
/// 32-bit protected mode with eax = 0x2badb002 and ebx = the information's address.
/// </summary>
public static class MultibootLoader
{
    public const uint HeaderMagic = 0x1BADB002, BootMagic = 0x2BADB002;
    public const int SearchLength = 8192;
    public const uint FlagPageAlign = 1, FlagMemoryInfo = 2, FlagVideoMode = 4, FlagAddresses = 1 << 16;
    public const uint InfoMemory = 1, InfoCommandLine = 1 << 2, InfoMemoryMap = 1 << 6, InfoLoaderName = 1 << 9;
    public const int InfoSize = 88, LoaderNameOffset = 0x100;
    public const string LoaderName = "Micro hvmloader";

    /// <summary>Whether <paramref name="kernel"/> carries a multiboot header (valid or not) where one is searched for.</summary>
    public static bool HasHeader(ReadOnlySpan<byte> kernel) => FindMagic(kernel, 0) >= 0;

    public static VcpuEntry Load(GuestImage image, ReadOnlySpan<byte> kernel, string commandLine)
    {
        int at = FindHeader(kernel);
        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(kernel[(at + 4)..]);
        uint unknownRequired = flags & 0xFFFF & ~(FlagPageAlign | FlagMemoryInfo | FlagVideoMode);
        if (unknownRequired != 0)
            throw new InvalidImageException($"multiboot: header flags {flags:x} require features {unknownRequired:x} this loader does not know");
        if ((flags & FlagVideoMode) != 0)
            throw new InvalidImageException("multiboot: header flag 2 requires a video mode; this platform has no display");

        ulong entry = (flags & FlagAddresses) != 0 ? LoadAddresses(image, kernel, at) : LoadElf(image, kernel);

        ulong cmdline = CommandLine.Write(image, commandLine);
        var info = image.Allocate(HvmLayout.BootInfo, HvmLayout.PageSize, "multiboot information");
        var (lower, upper) = E820Map.LegacySizes(image.Map);
        BinaryPrimitives.WriteUInt32LittleEndian(info, InfoMemory | InfoCommandLine | InfoMemoryMap | InfoLoaderName);
        BinaryPrimitives.WriteUInt32LittleEndian(info[4..], lower);
        BinaryPrimitives.WriteUInt32LittleEndian(info[8..], upper);
        BinaryPrimitives.WriteUInt32LittleEndian(info[16..], (uint)cmdline);
        var mmap = new byte[image.Map.Length * 24];
        for (int i = 0; i < image.Map.Length; i++)
        {
            var e = image.Map[i];
            var m = mmap.AsSpan(i * 24);
            BinaryPrimitives.WriteUInt32LittleEndian(m, 20); // size of the entry after this field
            BinaryPrimitives.WriteUInt64LittleEndian(m[4..], e.Base);
            BinaryPrimitives.WriteUInt64LittleEndian(m[12..], e.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(m[20..], (uint)e.Type);
        }
        image.Write(HvmLayout.MemoryMapArea, mmap, "multiboot memory map");
        BinaryPrimitives.WriteUInt32LittleEndian(info[44..], (uint)mmap.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(info[48..], (uint)HvmLayout.MemoryMapArea);
        System.Text.Encoding.ASCII.GetBytes(LoaderName, info[LoaderNameOffset..]);
        BinaryPrimitives.WriteUInt32LittleEndian(info[64..], (uint)(HvmLayout.BootInfo + LoaderNameOffset));
        return BootGdt.Protected32(image, entry, BootMagic, (uint)HvmLayout.BootInfo);
    }

    private static int FindMagic(ReadOnlySpan<byte> kernel, int from)
    {
        int end = Math.Min(kernel.Length, SearchLength) - 12;
        for (int at = from; at <= end; at += 4)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(kernel[at..]) == HeaderMagic)
                return at;
        }
        return -1;
    }

    private static int FindHeader(ReadOnlySpan<byte> kernel)
    {
        int first = FindMagic(kernel, 0);
        if (first < 0)
            throw new InvalidImageException($"multiboot: no header magic {HeaderMagic:x} in the first {SearchLength} bytes");
        for (int at = first; at >= 0; at = FindMagic(kernel, at + 4))
        {
            uint sum = HeaderMagic + BinaryPrimitives.ReadUInt32LittleEndian(kernel[(at + 4)..]) + BinaryPrimitives.ReadUInt32LittleEndian(kernel[(at + 8)..]);
            if (sum == 0)
                return at;
        }
        throw new InvalidImageException($"multiboot: header at offset {first} has a bad checksum (magic + flags + checksum must be 0)");
    }

    /// <summary>Flag 16: header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr say where the file goes.</summary>
    private static ulong LoadAddresses(GuestImage image, ReadOnlySpan<byte> kernel, int at)
    {
        if (at + 32 > kernel.Length)
            throw new InvalidImageException("multiboot: header with flag 16 is truncated before entry_addr");
        uint headerAddr = U32(kernel, at + 12), loadAddr = U32(kernel, at + 16), loadEnd = U32(kernel, at + 20), bssEnd = U32(kernel, at + 24), entry = U32(kernel, at + 28);
        if (loadAddr > headerAddr || headerAddr - loadAddr > (uint)at)
            throw new InvalidImageException($"multiboot: header_addr {headerAddr:x} and load_addr {loadAddr:x} put the file start before offset 0");
        long fileStart = at - (headerAddr - loadAddr);
        ulong fileBytes = loadEnd == 0 ? (ulong)(kernel.Length - fileStart) : (ulong)loadEnd - loadAddr;
        if (loadEnd != 0 && loadEnd <= loadAddr)
            throw new InvalidImageException($"multiboot: load_end_addr {loadEnd:x} is not above load_addr {loadAddr:x}");
        if (fileBytes > (ulong)(kernel.Length - fileStart))
            throw new InvalidImageException($"multiboot: load range of {fileBytes} bytes runs past the file's {kernel.Length - fileStart} bytes after offset {fileStart}");
        ulong memEnd = bssEnd == 0 ? loadAddr + fileBytes : bssEnd;
        if (memEnd < loadAddr + fileBytes)
            throw new InvalidImageException($"multiboot: bss_end_addr {bssEnd:x} is below the loaded range's end {loadAddr + fileBytes:x}");
        if (entry < loadAddr || entry >= loadAddr + fileBytes)
            throw new InvalidImageException($"multiboot: entry_addr {entry:x} is outside the loaded range [{loadAddr:x}, {loadAddr + fileBytes:x})");
        if (!image.IsRam(loadAddr, memEnd - loadAddr))
            throw new InvalidImageException($"multiboot: [{loadAddr:x}, {memEnd:x}) is not in the guest's RAM");
        kernel.Slice((int)fileStart, (int)fileBytes).CopyTo(image.Allocate(loadAddr, memEnd - loadAddr, "multiboot kernel"));
        return entry;
    }

    private static ulong LoadElf(GuestImage image, ReadOnlySpan<byte> kernel)
    {
        var elf = ElfImage.Parse(kernel);
        elf.LoadSegments(image, kernel, "multiboot kernel", HvmLayout.FourGiB);
        ulong? entry = elf.Physical(elf.Entry);
        if (entry is null || entry >= HvmLayout.FourGiB)
            throw new InvalidImageException($"multiboot: ELF entry {elf.Entry:x} is not inside a loaded segment below 4 GiB");
        return entry.Value;
    }

    private static uint U32(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt32LittleEndian(b[at..]);
}
