using Micro.BareMetal.Platform;

namespace Micro.BareMetal.Svm;

/// <summary>AMD SVM on this CPU: detection (CPUID), and turning it on (EFER.SVME, the host save area).</summary>
internal static class SvmSupport
{
    private const uint Efer = 0xC0000080, VmCr = 0xC0010114, HostSaveAreaMsr = 0xC0010117;
    private const ulong EferSvme = 1 << 12;

    public static bool Available => (Cpu.Cpuid(0x80000001).Ecx & (1 << 2)) != 0;

    public static bool NestedPaging => (Cpu.Cpuid(0x8000000A).Edx & 1) != 0;

    /// <summary>Whether the CPU saves the next RIP on exits (QEMU TCG does not: we compute lengths).</summary>
    public static bool NextRipSave => (Cpu.Cpuid(0x8000000A).Edx & (1 << 3)) != 0;

    public static uint AsidCount => Cpu.Cpuid(0x8000000A).Ebx;

    /// <summary>Turns SVM on for this CPU; false if firmware locked it off (VM_CR.SVMDIS).</summary>
    public static bool Enable(PageAllocator pages)
    {
        if ((Cpu.ReadMsr(VmCr) & (1 << 4)) != 0)
            return false;
        Cpu.WriteMsr(Efer, Cpu.ReadMsr(Efer) | EferSvme);
        ulong save = pages.Allocate();
        if (save == 0)
            return false;
        Cpu.WriteMsr(HostSaveAreaMsr, save);
        unsafe
        {
            PerCpu.Current->HostSaveArea = save;
        }
        return true;
    }
}
