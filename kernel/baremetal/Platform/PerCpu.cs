using System.Runtime.InteropServices;
using Micro.BareMetal.Runtime;

namespace Micro.BareMetal.Platform;

/// <summary>
/// Per-CPU data, reached through the GS base (there is no [ThreadStatic] here). The first field points
/// at itself so `gs:0` finds the block; in gdb, `p *(PerCpuData*)$gs_base` shows it, including the
/// domain running on this CPU.
/// </summary>
internal static unsafe class PerCpu
{
    private const uint GsBaseMsr = 0xC0000101;

    public static PerCpuData* Current => (PerCpuData*)Cpu.ReadMsr(GsBaseMsr);

    public static void Init(uint cpuId)
    {
        var data = (PerCpuData*)Heap.Allocate((ulong)sizeof(PerCpuData));
        data->Self = data;
        data->CpuId = cpuId;
        data->RunningDomain = -1;
        Cpu.WriteMsr(GsBaseMsr, (ulong)data);
    }
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct PerCpuData
{
    public PerCpuData* Self;
    public uint CpuId;

    /// <summary>The domid whose vCPU this CPU is running, or -1 in the hypervisor itself.</summary>
    public int RunningDomain;
    public ulong TimerTicks;

    /// <summary>Physical address of this CPU's SVM host save area (VM_HSAVE_PA).</summary>
    public ulong HostSaveArea;
}
