namespace Micro.Kernel.Memory;

/// <summary>
/// Where things live in a hosted guest's physical memory, in one place. The core owns the low
/// pages (boot page tables and GDT); the guest image is loaded at <see cref="ImageBase"/>; the
/// xenstore and console pages sit at the top of RAM and are announced through HVM params, as
/// Xen's toolstack does. shared_info and the hypercall page go wherever the guest asks.
/// </summary>
public static class GuestLayout
{
    public const ulong PageSize = 4096;
    public const ulong DefaultRamSize = 4 << 20;

    public const ulong Pml4 = 0x1000;
    public const ulong Pdpt = 0x2000;
    public const ulong PageDirectory = 0x3000;
    public const ulong Gdt = 0x4000;

    /// <summary>The boot contract with guests: 64-bit mode, first GiB identity-mapped, entry at the image base.</summary>
    public const ulong ImageBase = 0x100000;

    public static ulong ConsolePfn(ulong ramSize) => ramSize / PageSize - 1;
    public static ulong StorePfn(ulong ramSize) => ramSize / PageSize - 2;

    /// <summary>RAM the guest image may occupy: from the image base up to the special pages.</summary>
    public static ulong MaxImageSize(ulong ramSize) => StorePfn(ramSize) * PageSize - ImageBase;
}
