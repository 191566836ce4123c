using System.Runtime.InteropServices;

namespace Micro.Kernel.Kvm;

/// <summary>struct kvm_regs (x86-64): general-purpose registers, rip and rflags.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct KvmRegs
{
    public ulong Rax, Rbx, Rcx, Rdx, Rsi, Rdi, Rsp, Rbp;
    public ulong R8, R9, R10, R11, R12, R13, R14, R15;
    public ulong Rip, Rflags;
}

/// <summary>struct kvm_segment: a segment register as KVM exposes it (24 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct KvmSegment
{
    public ulong Base;
    public uint Limit;
    public ushort Selector;
    public byte Type, Present, Dpl, Db, S, L, G, Avl, Unusable, Padding;
}

/// <summary>struct kvm_dtable: a descriptor-table register (GDTR/IDTR).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct KvmDtable
{
    public ulong Base;
    public ushort Limit;
    public ushort Padding0, Padding1, Padding2;
}

/// <summary>struct kvm_sregs (312 bytes): segments, descriptor tables, control registers, EFER.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct KvmSregs
{
    public KvmSegment Cs, Ds, Es, Fs, Gs, Ss, Tr, Ldt;
    public KvmDtable Gdt, Idt;
    public ulong Cr0, Cr2, Cr3, Cr4, Cr8, Efer, ApicBase;
    public fixed ulong InterruptBitmap[4];
}

/// <summary>
/// struct kvm_run, the page KVM shares with user space per vCPU: exit reason, the per-reason union
/// at offset 32, and the synchronized registers (KVM_CAP_SYNC_REGS) at offset 304.
/// </summary>
[StructLayout(LayoutKind.Explicit)]
public struct KvmRun
{
    [FieldOffset(0)] public byte RequestInterruptWindow;
    [FieldOffset(1)] public byte ImmediateExit;
    [FieldOffset(8)] public uint ExitReason;
    [FieldOffset(12)] public byte ReadyForInterruptInjection;
    [FieldOffset(13)] public byte IfFlag;

    // exit io
    [FieldOffset(32)] public byte IoDirection;
    [FieldOffset(33)] public byte IoSize;
    [FieldOffset(34)] public ushort IoPort;
    [FieldOffset(36)] public uint IoCount;
    [FieldOffset(40)] public ulong IoDataOffset;

    // exit mmio
    [FieldOffset(32)] public ulong MmioPhysAddr;
    [FieldOffset(40)] public ulong MmioData;
    [FieldOffset(48)] public uint MmioLen;
    [FieldOffset(52)] public byte MmioIsWrite;

    // exit rdmsr / wrmsr
    [FieldOffset(32)] public byte MsrError;
    [FieldOffset(40)] public uint MsrReason;
    [FieldOffset(44)] public uint MsrIndex;
    [FieldOffset(48)] public ulong MsrData;

    // exit fail_entry / internal
    [FieldOffset(32)] public ulong FailEntryReason;
    [FieldOffset(32)] public uint InternalSuberror;

    [FieldOffset(288)] public ulong KvmValidRegs;
    [FieldOffset(296)] public ulong KvmDirtyRegs;
    [FieldOffset(304)] public KvmRegs Regs;
    [FieldOffset(448)] public KvmSregs Sregs;

    public const ulong KVM_SYNC_X86_REGS = 1;
    public const byte KVM_EXIT_IO_IN = 0, KVM_EXIT_IO_OUT = 1;
}

/// <summary>KVM exit reasons this backend handles (linux/kvm.h).</summary>
public static class KvmExitReason
{
    public const uint UNKNOWN = 0, EXCEPTION = 1, IO = 2, HYPERCALL = 3, DEBUG = 4, HLT = 5, MMIO = 6,
        IRQ_WINDOW_OPEN = 7, SHUTDOWN = 8, FAIL_ENTRY = 9, INTR = 10, INTERNAL_ERROR = 17,
        SYSTEM_EVENT = 24, X86_RDMSR = 29, X86_WRMSR = 30;

    public static string Name(uint reason) => reason switch
    {
        UNKNOWN => "UNKNOWN",
        EXCEPTION => "EXCEPTION",
        IO => "IO",
        HYPERCALL => "HYPERCALL",
        DEBUG => "DEBUG",
        HLT => "HLT",
        MMIO => "MMIO",
        IRQ_WINDOW_OPEN => "IRQ_WINDOW_OPEN",
        SHUTDOWN => "SHUTDOWN",
        FAIL_ENTRY => "FAIL_ENTRY",
        INTR => "INTR",
        INTERNAL_ERROR => "INTERNAL_ERROR",
        SYSTEM_EVENT => "SYSTEM_EVENT",
        X86_RDMSR => "X86_RDMSR",
        X86_WRMSR => "X86_WRMSR",
        _ => $"exit {reason}",
    };
}
