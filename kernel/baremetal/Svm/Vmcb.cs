namespace Micro.BareMetal.Svm;

/// <summary>
/// The virtual machine control block (AMD APM vol. 2, appendix B): a 4 KiB page, control area first,
/// guest state save area at 0x400. Offsets here, accessors over the raw page.
/// </summary>
internal unsafe struct Vmcb
{
    // Control area.
    public const int InterceptCr = 0x000, InterceptExceptions = 0x008, InterceptMisc1 = 0x00C, InterceptMisc2 = 0x010;
    public const int IopmBase = 0x040, MsrpmBase = 0x048, Asid = 0x058, TlbControl = 0x05C, InterruptShadow = 0x068;
    public const int ExitCode = 0x070, ExitInfo1 = 0x078, ExitInfo2 = 0x080, ExitIntInfo = 0x088, NestedControl = 0x090;
    public const int EventInject = 0x0A8, NestedCr3 = 0x0B0, CleanBits = 0x0C0, NextRip = 0x0C8;

    // State save area.
    public const int Es = 0x400, Cs = 0x410, Ss = 0x420, Ds = 0x430, Fs = 0x440, Gs = 0x450;
    public const int Gdtr = 0x460, Ldtr = 0x470, Idtr = 0x480, Tr = 0x490, Cpl = 0x4CB, Efer = 0x4D0;
    public const int Cr4 = 0x548, Cr3 = 0x550, Cr0 = 0x558, Dr7 = 0x560, Dr6 = 0x568, Rflags = 0x570, Rip = 0x578;
    public const int Rsp = 0x5D8, Rax = 0x5F8, KernelGsBase = 0x620, Cr2 = 0x640, GuestPat = 0x668;

    // Intercept bits.
    public const uint Intr = 1u << 0, Cpuid = 1u << 18, Hlt = 1u << 24, Ioio = 1u << 27, Msr = 1u << 28, Shutdown = 1u << 31;
    public const uint Vmrun = 1u << 0, Vmmcall = 1u << 1, Vmload = 1u << 2, Vmsave = 1u << 3, Stgi = 1u << 4, Clgi = 1u << 5, Skinit = 1u << 6;

    // Exit codes.
    public const ulong ExitCpuid = 0x72, ExitHlt = 0x78, ExitIoio = 0x7B, ExitMsr = 0x7C, ExitShutdown = 0x7F;
    public const ulong ExitVmrun = 0x80, ExitVmmcall = 0x81, ExitNpf = 0x400, ExitInvalid = ulong.MaxValue;

    public static ulong Read64(ulong vmcb, int offset) => *(ulong*)(vmcb + (ulong)offset);

    public static void Write64(ulong vmcb, int offset, ulong value) => *(ulong*)(vmcb + (ulong)offset) = value;

    public static void Write32(ulong vmcb, int offset, uint value) => *(uint*)(vmcb + (ulong)offset) = value;

    /// <summary>A segment register: selector, packed attributes (type, S, DPL, P, AVL, L, D/B, G), limit, base.</summary>
    public static void Segment(ulong vmcb, int offset, ushort selector, ushort attributes, uint limit, ulong baseAddress)
    {
        *(ushort*)(vmcb + (ulong)offset) = selector;
        *(ushort*)(vmcb + (ulong)offset + 2) = attributes;
        *(uint*)(vmcb + (ulong)offset + 4) = limit;
        *(ulong*)(vmcb + (ulong)offset + 8) = baseAddress;
    }
}
