using System.Runtime;
using System.Runtime.CompilerServices;
using Micro.BareMetal.Hypervisor;
using Micro.BareMetal.Platform;
using Micro.BareMetal.Runtime;

namespace Micro.BareMetal.Svm;

/// <summary>
/// One vCPU on AMD SVM: its VMCB, its registers and FPU/SSE state, entered in 64-bit long mode with
/// nested paging. Decodes #VMEXITs into <see cref="VcpuExit"/> and computes the next RIP itself,
/// since QEMU's SVM has no nRIP-save.
/// </summary>
internal sealed unsafe class SvmVcpu : VirtualCpu
{
    private const ulong Cr0LongMode = 0x80010033;    // PG, WP, NE, ET, MP, PE
    private const ulong Cr4LongMode = 0x620;         // OSXMMEXCPT, OSFXSR, PAE
    private const ulong EferLongMode = 0x1500;       // SVME, LMA, LME
    private const ulong DefaultPat = 0x0007040600070406;

    private static ulong s_iopm;
    private static ulong s_msrpm;

    private readonly ulong _vmcb;
    private readonly GuestRegisters* _regs;
    private readonly byte* _guestFx;
    private readonly byte* _hostFx;
    private readonly ulong* _tsc;
    private ulong _nextRip;

    [RuntimeImport("*", "svm_run"), MethodImpl(MethodImplOptions.InternalCall)]
    private static extern void SvmRun(ulong vmcb, GuestRegisters* regs, byte* guestFx, byte* hostFx, ulong* tsc);

    /// <summary>The intercept bitmaps every vCPU shares: all ports; all MSRs but the ones the VMCB holds.</summary>
    public static bool InitBitmaps(PageAllocator pages)
    {
        s_iopm = pages.AllocateContiguous(3);
        s_msrpm = pages.AllocateContiguous(2);
        if (s_iopm == 0 || s_msrpm == 0)
            return false;
        Memory.Fill((void*)s_iopm, 0xFF, 3 * PageAllocator.PageSize);
        Memory.Fill((void*)s_msrpm, 0xFF, 2 * PageAllocator.PageSize);
        PassThroughMsr(0x277);                   // PAT (G_PAT under nested paging)
        PassThroughMsr(0xC0000080);              // EFER
        for (uint msr = 0xC0000081; msr <= 0xC0000084; msr++)
            PassThroughMsr(msr);                 // STAR, LSTAR, CSTAR, SFMASK
        for (uint msr = 0xC0000100; msr <= 0xC0000102; msr++)
            PassThroughMsr(msr);                 // FS, GS, kernel GS base
        return true;
    }

    private static void PassThroughMsr(uint msr)
    {
        ulong offset = msr >= 0xC0000000 ? 0x800UL : 0UL;
        ulong bit = (msr & 0x1FFF) * 2;
        var bytes = (byte*)(s_msrpm + offset);
        bytes[bit / 8] &= (byte)~(3 << (int)(bit % 8));
    }

    public SvmVcpu(PageAllocator pages, ulong nestedRoot, ulong entry, ulong pageTableRoot, ulong gdt)
    {
        _vmcb = pages.Allocate();
        _regs = (GuestRegisters*)Heap.Allocate((ulong)sizeof(GuestRegisters));
        _guestFx = Heap.Allocate(512);
        _hostFx = Heap.Allocate(512);
        _tsc = (ulong*)Heap.Allocate(16);
        *(ushort*)_guestFx = 0x37F;           // FCW: x87 exceptions masked
        *(uint*)(_guestFx + 24) = 0x1F80;     // MXCSR: SSE exceptions masked
        if (_vmcb == 0)
            Panic.Halt("out of memory for a VMCB");

        ulong v = _vmcb;
        Vmcb.Write32(v, Vmcb.InterceptMisc1, Vmcb.Cpuid | Vmcb.Hlt | Vmcb.Ioio | Vmcb.Msr | Vmcb.Shutdown);
        Vmcb.Write32(v, Vmcb.InterceptMisc2, Vmcb.Vmrun | Vmcb.Vmmcall | Vmcb.Vmload | Vmcb.Vmsave | Vmcb.Stgi | Vmcb.Clgi | Vmcb.Skinit);
        Vmcb.Write64(v, Vmcb.IopmBase, s_iopm);
        Vmcb.Write64(v, Vmcb.MsrpmBase, s_msrpm);
        Vmcb.Write32(v, Vmcb.Asid, 1);
        *(byte*)(v + Vmcb.TlbControl) = 1;     // flush this ASID on every VMRUN: domains share it
        Vmcb.Write64(v, Vmcb.NestedControl, 1);
        Vmcb.Write64(v, Vmcb.NestedCr3, nestedRoot);

        Vmcb.Segment(v, Vmcb.Cs, 0x08, 0xA9B, 0xFFFFFFFF, 0);
        Vmcb.Segment(v, Vmcb.Ds, 0x10, 0xC93, 0xFFFFFFFF, 0);
        Vmcb.Segment(v, Vmcb.Es, 0x10, 0xC93, 0xFFFFFFFF, 0);
        Vmcb.Segment(v, Vmcb.Ss, 0x10, 0xC93, 0xFFFFFFFF, 0);
        Vmcb.Segment(v, Vmcb.Fs, 0x10, 0xC93, 0xFFFFFFFF, 0);
        Vmcb.Segment(v, Vmcb.Gs, 0x10, 0xC93, 0xFFFFFFFF, 0);
        Vmcb.Segment(v, Vmcb.Tr, 0x18, 0x8B, 0x67, 0);
        Vmcb.Segment(v, Vmcb.Ldtr, 0, 0x82, 0, 0);
        Vmcb.Segment(v, Vmcb.Gdtr, 0, 0, 31, gdt);
        Vmcb.Segment(v, Vmcb.Idtr, 0, 0, 0, 0);
        Vmcb.Write64(v, Vmcb.Cr0, Cr0LongMode);
        Vmcb.Write64(v, Vmcb.Cr3, pageTableRoot);
        Vmcb.Write64(v, Vmcb.Cr4, Cr4LongMode);
        Vmcb.Write64(v, Vmcb.Efer, EferLongMode);
        Vmcb.Write64(v, Vmcb.GuestPat, DefaultPat);
        Vmcb.Write64(v, Vmcb.Dr6, 0xFFFF0FF0);
        Vmcb.Write64(v, Vmcb.Dr7, 0x400);
        Vmcb.Write64(v, Vmcb.Rflags, 2);
        Vmcb.Write64(v, Vmcb.Rip, entry);
    }

    public override VcpuExit Run()
    {
        SvmRun(_vmcb, _regs, _guestFx, _hostFx, _tsc);
        ulong code = Vmcb.Read64(_vmcb, Vmcb.ExitCode);
        ulong info1 = Vmcb.Read64(_vmcb, Vmcb.ExitInfo1);
        ulong info2 = Vmcb.Read64(_vmcb, Vmcb.ExitInfo2);
        ulong rip = Rip;
        var exit = new VcpuExit { HardwareCode = code, Kind = ExitKind.Unsupported };
        switch (code)
        {
            case Vmcb.ExitCpuid:
                exit.Kind = ExitKind.Cpuid;
                _nextRip = rip + InstructionLength.Cpuid;
                break;
            case Vmcb.ExitHlt:
                exit.Kind = ExitKind.Hlt;
                _nextRip = rip + InstructionLength.Hlt;
                break;
            case Vmcb.ExitVmmcall:
                exit.Kind = ExitKind.Hypercall;
                _nextRip = rip + InstructionLength.Vmmcall;
                break;
            case Vmcb.ExitMsr:
                exit.Kind = info1 == 1 ? ExitKind.MsrWrite : ExitKind.MsrRead;
                exit.Operand = Rcx & 0xFFFFFFFF;
                _nextRip = rip + InstructionLength.Rdmsr;
                break;
            case Vmcb.ExitIoio:
                // String and rep forms are not emulated: they come back as Unsupported and crash the guest.
                if ((info1 & 0xC) == 0)
                {
                    exit.Kind = ExitKind.PortIo;
                    exit.IsInput = (info1 & 1) != 0;
                    exit.Size = (uint)((info1 >> 4) & 7);
                    exit.Operand = info1 >> 16;
                    _nextRip = info2; // IOIO exits always carry the next RIP
                }
                break;
            case Vmcb.ExitNpf:
                exit.Kind = ExitKind.NestedPageFault;
                exit.Operand = info2;
                exit.IsInput = (info1 & 2) == 0;
                break;
            case Vmcb.ExitShutdown:
                exit.Kind = ExitKind.Shutdown;
                break;
        }
        return exit;
    }

    public override ulong Rax
    {
        get => Vmcb.Read64(_vmcb, Vmcb.Rax);
        set => Vmcb.Write64(_vmcb, Vmcb.Rax, value);
    }

    public override ulong Rbx
    {
        get => _regs->Rbx;
        set => _regs->Rbx = value;
    }

    public override ulong Rcx
    {
        get => _regs->Rcx;
        set => _regs->Rcx = value;
    }

    public override ulong Rdx
    {
        get => _regs->Rdx;
        set => _regs->Rdx = value;
    }

    public override ulong Rsi => _regs->Rsi;

    public override ulong Rdi => _regs->Rdi;

    public override ulong R8 => _regs->R8;

    public override ulong R10 => _regs->R10;

    public override ulong Rip => Vmcb.Read64(_vmcb, Vmcb.Rip);

    public override ulong EntryTsc => _tsc[0];

    public override ulong ExitTsc => _tsc[1];

    public override bool InterruptsEnabled
        => (Vmcb.Read64(_vmcb, Vmcb.Rflags) & (1 << 9)) != 0 && (Vmcb.Read64(_vmcb, Vmcb.InterruptShadow) & 1) == 0;

    /// <summary>
    /// Completes the intercepted instruction. That also ends an interrupt shadow (STI; HLT exits inside
    /// the STI shadow), as it would on hardware, so an upcall can be injected right after `sti; hlt`.
    /// </summary>
    public override void Skip()
    {
        Vmcb.Write64(_vmcb, Vmcb.Rip, _nextRip);
        Vmcb.Write64(_vmcb, Vmcb.InterruptShadow, Vmcb.Read64(_vmcb, Vmcb.InterruptShadow) & ~1UL);
    }

    public override void InjectInterrupt(int vector)
        => Vmcb.Write64(_vmcb, Vmcb.EventInject, (ulong)(uint)vector | (1UL << 31));

    /// <summary>The VMCB's physical address (for gdb: `x/8gx` it to see the guest's state).</summary>
    public ulong VmcbAddress => _vmcb;
}
