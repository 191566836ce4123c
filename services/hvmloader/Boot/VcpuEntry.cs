namespace Micro.HvmLoader.Boot;

/// <summary>How the boot vCPU enters the guest.</summary>
public enum EntryMode
{
    /// <summary>x86 reset state, real mode at f000:fff0 (a BIOS).</summary>
    Reset,
    /// <summary>32-bit protected mode, paging off, flat segments (multiboot, PVH).</summary>
    Protected32,
    /// <summary>64-bit mode on hvmloader's identity page tables (Linux's 64-bit boot protocol).</summary>
    Long64,
}

/// <summary>
/// The boot vCPU's initial state as a loader sets it: mode, entry point, the registers the boot
/// protocol defines (eax/ebx for multiboot and PVH, rsi for Linux), and the page tables and GDT
/// hvmloader wrote. The substrate applies it before the guest's first instruction.
/// </summary>
public sealed record VcpuEntry(EntryMode Mode, ulong Rip, ulong Rax = 0, ulong Rbx = 0, ulong Rsi = 0, ulong Cr3 = 0,
    ulong GdtBase = 0, ushort GdtLimit = 0, ushort CodeSelector = 0, ushort DataSelector = 0);
