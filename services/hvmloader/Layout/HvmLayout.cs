namespace Micro.HvmLoader;

/// <summary>
/// Where hvmloader puts things in a guest's physical memory, in one place. Low memory holds the
/// boot structures (clear of the hosted core's own page tables at 0x1000..0x4fff); the BIOS area
/// holds the firmware tables; the PCI/MMIO hole below 4 GiB pushes RAM above it past 4 GiB.
/// </summary>
public static class HvmLayout
{
    public const ulong PageSize = 4096;

    // Boot structures in low memory.
    public const ulong Gdt = 0x6000;
    public const ulong BootInfo = 0x7000;      // boot_params, multiboot info or hvm_start_info
    public const ulong CommandLine = 0x8000;   // up to CommandLineMax bytes with the NUL
    public const int CommandLineMax = 4096;
    public const ulong PageTables = 0x9000;    // PML4, PDPT, 4 page directories: 4 GiB identity
    public const ulong PageTablesSize = 6 * PageSize;
    public const ulong MemoryMapArea = 0xF000; // multiboot mmap / PVH memmap
    public const ulong LowBootAreaEnd = 0x10000;

    // The legacy PC holes in the first MiB.
    public const ulong EbdaStart = 0x9FC00;
    public const ulong VgaHoleStart = 0xA0000;
    public const ulong BiosAreaStart = 0xE0000;
    public const ulong BiosAreaEnd = 0x100000;
    public const ulong HighMemoryStart = 0x100000;

    // Firmware tables inside the BIOS area.
    public const ulong AcpiArea = 0xE0000;     // RSDP first (16-byte aligned, found by scanning)
    public const ulong AcpiAreaEnd = 0xF0000;
    public const ulong SmbiosArea = 0xF0000;   // entry point first (16-byte aligned)
    public const ulong SmbiosAreaEnd = 0xF8000;
    public const ulong MpArea = 0xF8000;       // floating pointer first
    public const ulong MpAreaEnd = 0xFA000;

    // Below 4 GiB: RAM ends at the PCI/MMIO hole (as Xen's HVM_BELOW_4G_RAM_END), and the top
    // 64 MiB are reserved for the IOAPIC, the local APICs and firmware.
    public const ulong MmioHoleStart = 0xF0000000;
    public const ulong ReservedHighStart = 0xFC000000;
    public const ulong FourGiB = 0x100000000;
    public const ulong IoApicBase = 0xFEC00000;
    public const ulong LocalApicBase = 0xFEE00000;

    /// <summary>The end of RAM below 4 GiB for <paramref name="memory"/> bytes of RAM.</summary>
    public static ulong LowMemoryEnd(ulong memory) => Math.Min(memory, MmioHoleStart);

    /// <summary>RAM relocated above 4 GiB because of the hole.</summary>
    public static ulong HighMemorySize(ulong memory) => memory - LowMemoryEnd(memory);
}
