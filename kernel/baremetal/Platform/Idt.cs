using System.Runtime.InteropServices;
using Micro.BareMetal.Runtime;

namespace Micro.BareMetal.Platform;

/// <summary>
/// The interrupt descriptor table: CPU exceptions (0-31) are reported on the serial port and end
/// the kernel; the LAPIC timer (32) and spurious (255) vectors are serviced.
/// </summary>
internal static unsafe class Idt
{
    public const int TimerVector = 32;
    public const int SpuriousVector = 255;

    [System.Runtime.RuntimeImport("*", "interrupt_stub"), System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.InternalCall)]
    private static extern ulong Stub(int vector);

    public static void Init()
    {
        var table = (ulong*)Heap.Allocate(256 * 16);
        for (int v = 0; v < 256; v++)
        {
            ulong handler = Stub(v);
            if (handler == 0)
                continue;
            // 64-bit interrupt gate: selector 0x08, present, DPL 0, type 0xE.
            table[v * 2] = (handler & 0xFFFF) | (0x08UL << 16) | (0x8E00UL << 32) | ((handler >> 16 & 0xFFFF) << 48);
            table[(v * 2) + 1] = handler >> 32;
        }
        byte* descriptor = stackalloc byte[16];
        *(ushort*)descriptor = (256 * 16) - 1;
        *(ulong*)(descriptor + 2) = (ulong)table;
        Cpu.LoadIdt(descriptor);
    }

    [UnmanagedCallersOnly(EntryPoint = "kernel_interrupt")]
    private static void Dispatch(InterruptFrame* frame)
    {
        if (frame->Vector == TimerVector)
        {
            Lapic.OnTimer();
            return;
        }
        if (frame->Vector == SpuriousVector)
            return;
        ExceptionReport.Write(frame);
        Panic.WalkFrames(frame->Rbp);
        Panic.Stop();
    }
}
