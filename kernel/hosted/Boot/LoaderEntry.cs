using Micro.Kernel.Kvm;

namespace Micro.Kernel.Boot;

/// <summary>
/// The entry states a loader (hvmloader) asks for, beyond the core's own 64-bit test-guest boot:
/// 32-bit protected mode with paging off (multiboot, PVH), 64-bit mode on the loader's own page
/// tables and GDT (Linux's 64-bit boot protocol), and the x86 reset state (a BIOS). Segment
/// caches are set directly, so the GDT need only exist for the guest's own later reloads.
/// </summary>
public static class LoaderEntry
{
    private const ulong CR0_PE = 1, CR0_ET = 0x10, CR0_PG = 0x80000000, CR0_NE = 0x20;
    private const ulong CR4_PAE = 0x20;
    private const ulong EFER_LME = 0x100, EFER_LMA = 0x400;

    /// <summary>Flat 4 GiB code (execute/read, 32-bit) and data (read/write) segments, CR0.PE only, interrupts off.</summary>
    public static void Protected32(KvmVcpu vcpu, uint entry, uint eax, uint ebx, ulong gdtBase, ushort gdtLimit, ushort codeSelector, ushort dataSelector)
    {
        var s = vcpu.GetSregs();
        s.Cs = new KvmSegment { Base = 0, Limit = 0xFFFFFFFF, Selector = codeSelector, Type = 11, Present = 1, S = 1, Db = 1, G = 1 };
        s.Ds = s.Es = s.Fs = s.Gs = s.Ss = new KvmSegment { Base = 0, Limit = 0xFFFFFFFF, Selector = dataSelector, Type = 3, Present = 1, S = 1, Db = 1, G = 1 };
        s.Tr = new KvmSegment { Base = 0, Limit = 0x67, Selector = 0, Type = 11, Present = 1 };
        s.Ldt = new KvmSegment { Type = 2, Present = 1, Unusable = 1 };
        s.Gdt = new KvmDtable { Base = gdtBase, Limit = gdtLimit };
        s.Idt = new KvmDtable { Base = 0, Limit = 0 };
        s.Cr0 = CR0_PE | CR0_ET;
        s.Cr3 = 0;
        s.Cr4 = 0;
        s.Efer = 0;
        vcpu.SetSregs(s);
        vcpu.SetRegs(new KvmRegs { Rip = entry, Rax = eax, Rbx = ebx, Rflags = 2 });
    }

    /// <summary>64-bit mode on the loader's page tables (<paramref name="cr3"/>) and GDT; rsi carries the boot structure.</summary>
    public static void Long64(KvmVcpu vcpu, ulong entry, ulong rsi, ulong cr3, ulong gdtBase, ushort gdtLimit, ushort codeSelector, ushort dataSelector)
    {
        var s = vcpu.GetSregs();
        s.Cs = new KvmSegment { Base = 0, Limit = 0xFFFFFFFF, Selector = codeSelector, Type = 11, Present = 1, S = 1, L = 1, G = 1 };
        s.Ds = s.Es = s.Fs = s.Gs = s.Ss = new KvmSegment { Base = 0, Limit = 0xFFFFFFFF, Selector = dataSelector, Type = 3, Present = 1, S = 1, Db = 1, G = 1 };
        s.Tr = new KvmSegment { Base = 0, Limit = 0x67, Selector = 0, Type = 11, Present = 1 };
        s.Gdt = new KvmDtable { Base = gdtBase, Limit = gdtLimit };
        s.Idt = new KvmDtable { Base = 0, Limit = 0 };
        s.Cr3 = cr3;
        s.Cr4 = CR4_PAE;
        s.Cr0 = CR0_PE | CR0_ET | CR0_NE | CR0_PG;
        s.Efer = EFER_LME | EFER_LMA;
        vcpu.SetSregs(s);
        vcpu.SetRegs(new KvmRegs { Rip = entry, Rsi = rsi, Rflags = 2 });
    }

    /// <summary>The state after RESET: real mode at f000:fff0 with CS base 0xffff0000, where a BIOS starts.</summary>
    public static void Reset(KvmVcpu vcpu)
    {
        var s = vcpu.GetSregs();
        s.Cs = new KvmSegment { Base = 0xFFFF0000, Limit = 0xFFFF, Selector = 0xF000, Type = 11, Present = 1, S = 1 };
        s.Ds = s.Es = s.Fs = s.Gs = s.Ss = new KvmSegment { Base = 0, Limit = 0xFFFF, Selector = 0, Type = 3, Present = 1, S = 1 };
        s.Tr = new KvmSegment { Limit = 0xFFFF, Type = 11, Present = 1 };
        s.Ldt = new KvmSegment { Limit = 0xFFFF, Type = 2, Present = 1 };
        s.Gdt = new KvmDtable { Limit = 0xFFFF };
        s.Idt = new KvmDtable { Limit = 0xFFFF };
        s.Cr0 = CR0_ET | 0x60000000; // CD, NW
        s.Cr3 = 0;
        s.Cr4 = 0;
        s.Efer = 0;
        vcpu.SetSregs(s);
        vcpu.SetRegs(new KvmRegs { Rip = 0xFFF0, Rdx = 0x600, Rflags = 2 });
    }
}
