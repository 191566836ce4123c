using System.Runtime;
using System.Runtime.CompilerServices;

namespace Micro.BareMetal.Platform;

/// <summary>Privileged instructions, implemented in cpu.asm.</summary>
internal static unsafe class Cpu
{
    [RuntimeImport("*", "cpu_outb"), MethodImpl(MethodImplOptions.InternalCall)]
    public static extern void OutB(uint port, uint value);

    [RuntimeImport("*", "cpu_inb"), MethodImpl(MethodImplOptions.InternalCall)]
    public static extern uint InB(uint port);

    [RuntimeImport("*", "cpu_outw"), MethodImpl(MethodImplOptions.InternalCall)]
    public static extern void OutW(uint port, uint value);

    [RuntimeImport("*", "cpu_inw"), MethodImpl(MethodImplOptions.InternalCall)]
    public static extern uint InW(uint port);

    [RuntimeImport("*", "cpu_outl"), MethodImpl(MethodImplOptions.InternalCall)]
    public static extern void OutL(uint port, uint value);

    [RuntimeImport("*", "cpu_inl"), MethodImpl(MethodImplOptions.InternalCall)]
    public static extern uint InL(uint port);

    [RuntimeImport("*", "cpu_rdmsr"), MethodImpl(MethodImplOptions.InternalCall)]
    public static extern ulong ReadMsr(uint msr);

    [RuntimeImport("*", "cpu_wrmsr"), MethodImpl(MethodImplOptions.InternalCall)]
    public static extern void WriteMsr(uint msr, ulong value);

    [RuntimeImport("*", "cpu_cpuid"), MethodImpl(MethodImplOptions.InternalCall)]
    private static extern void CpuidRaw(uint leaf, uint subleaf, uint* out4);

    [RuntimeImport("*", "cpu_rdtsc"), MethodImpl(MethodImplOptions.InternalCall)]
    public static extern ulong ReadTsc();

    [RuntimeImport("*", "cpu_read_cr0"), MethodImpl(MethodImplOptions.InternalCall)]
    public static extern ulong ReadCr0();

    [RuntimeImport("*", "cpu_read_cr2"), MethodImpl(MethodImplOptions.InternalCall)]
    public static extern ulong ReadCr2();

    [RuntimeImport("*", "cpu_read_cr3"), MethodImpl(MethodImplOptions.InternalCall)]
    public static extern ulong ReadCr3();

    [RuntimeImport("*", "cpu_read_cr4"), MethodImpl(MethodImplOptions.InternalCall)]
    public static extern ulong ReadCr4();

    [RuntimeImport("*", "cpu_write_cr3"), MethodImpl(MethodImplOptions.InternalCall)]
    public static extern void WriteCr3(ulong value);

    [RuntimeImport("*", "cpu_write_cr4"), MethodImpl(MethodImplOptions.InternalCall)]
    public static extern void WriteCr4(ulong value);

    [RuntimeImport("*", "cpu_lidt"), MethodImpl(MethodImplOptions.InternalCall)]
    public static extern void LoadIdt(void* descriptor);

    [RuntimeImport("*", "cpu_sti"), MethodImpl(MethodImplOptions.InternalCall)]
    public static extern void EnableInterrupts();

    [RuntimeImport("*", "cpu_cli"), MethodImpl(MethodImplOptions.InternalCall)]
    public static extern void DisableInterrupts();

    [RuntimeImport("*", "cpu_hlt"), MethodImpl(MethodImplOptions.InternalCall)]
    public static extern void Halt();

    [RuntimeImport("*", "cpu_pause"), MethodImpl(MethodImplOptions.InternalCall)]
    public static extern void Pause();

    [RuntimeImport("*", "cpu_invlpg"), MethodImpl(MethodImplOptions.InternalCall)]
    public static extern void InvalidatePage(ulong address);

    [RuntimeImport("*", "cpu_read_rbp"), MethodImpl(MethodImplOptions.InternalCall)]
    public static extern ulong ReadFramePointer();

    [RuntimeImport("*", "cpu_read_rsp"), MethodImpl(MethodImplOptions.InternalCall)]
    public static extern ulong ReadStackPointer();

    [RuntimeImport("*", "cpu_ud2"), MethodImpl(MethodImplOptions.InternalCall)]
    public static extern void InvalidOpcode();

    [RuntimeImport("*", "cpu_read_at"), MethodImpl(MethodImplOptions.InternalCall)]
    public static extern ulong ReadAt(ulong address);

    public static CpuidResult Cpuid(uint leaf, uint subleaf = 0)
    {
        CpuidResult r;
        CpuidRaw(leaf, subleaf, (uint*)&r);
        return r;
    }
}

/// <summary>The four registers CPUID returns.</summary>
internal struct CpuidResult
{
    public uint Eax;
    public uint Ebx;
    public uint Ecx;
    public uint Edx;
}
