using System.Buffers.Binary;
using Micro.Kernel.Kvm;
using Micro.Kernel.Memory;

namespace Micro.Kernel.Boot;

/// <summary>
/// Puts a vCPU straight into 64-bit long mode: identity page tables for the first GiB (2 MiB pages),
/// a flat GDT, and the control registers a 64-bit kernel expects. No firmware, no real mode.
/// </summary>
public static class LongModeBoot
{
    private const ulong CR0_PE = 1, CR0_MP = 2, CR0_ET = 0x10, CR0_NE = 0x20, CR0_WP = 0x10000, CR0_PG = 0x80000000;
    private const ulong CR4_PAE = 0x20, CR4_OSFXSR = 0x200, CR4_OSXMMEXCPT = 0x400;
    private const ulong EFER_LME = 0x100, EFER_LMA = 0x400;
    private const ulong PTE_P = 1, PTE_RW = 2, PTE_PS = 0x80;

    public const ushort CodeSelector = 0x08, DataSelector = 0x10, TssSelector = 0x18;

    /// <summary>Writes the boot page tables and GDT into guest memory (once per domain).</summary>
    public static void WriteTables(GuestMemoryFd memory)
    {
        memory.Span(GuestLayout.Pml4, GuestLayout.PageSize * 4).Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(memory.Span(GuestLayout.Pml4, 8), GuestLayout.Pdpt | PTE_P | PTE_RW);
        BinaryPrimitives.WriteUInt64LittleEndian(memory.Span(GuestLayout.Pdpt, 8), GuestLayout.PageDirectory | PTE_P | PTE_RW);
        var pd = memory.Span(GuestLayout.PageDirectory, GuestLayout.PageSize);
        for (int i = 0; i < 512; i++)
            BinaryPrimitives.WriteUInt64LittleEndian(pd[(i * 8)..], ((ulong)i << 21) | PTE_P | PTE_RW | PTE_PS);
        var gdt = memory.Span(GuestLayout.Gdt, 32);
        BinaryPrimitives.WriteUInt64LittleEndian(gdt[8..], 0x00AF9A000000FFFF);  // 64-bit code, DPL 0
        BinaryPrimitives.WriteUInt64LittleEndian(gdt[16..], 0x00CF92000000FFFF); // data, DPL 0
    }

    /// <summary>Sets the vCPU's registers so that its next KVM_RUN executes <paramref name="entry"/> in 64-bit mode.</summary>
    public static void Enter(KvmVcpu vcpu, ulong entry)
    {
        var s = vcpu.GetSregs();
        var code = new KvmSegment { Base = 0, Limit = 0xFFFFFFFF, Selector = CodeSelector, Type = 11, Present = 1, S = 1, L = 1, G = 1 };
        var data = new KvmSegment { Base = 0, Limit = 0xFFFFFFFF, Selector = DataSelector, Type = 3, Present = 1, S = 1, Db = 1, G = 1 };
        s.Cs = code;
        s.Ds = s.Es = s.Fs = s.Gs = s.Ss = data;
        s.Tr = new KvmSegment { Base = 0, Limit = 0x67, Selector = TssSelector, Type = 11, Present = 1 };
        s.Gdt = new KvmDtable { Base = GuestLayout.Gdt, Limit = 31 };
        s.Idt = new KvmDtable { Base = 0, Limit = 0 };
        s.Cr3 = GuestLayout.Pml4;
        s.Cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
        s.Cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
        s.Efer = EFER_LME | EFER_LMA;
        vcpu.SetSregs(s);
        vcpu.SetRegs(new KvmRegs { Rip = entry, Rflags = 2 });
    }
}
