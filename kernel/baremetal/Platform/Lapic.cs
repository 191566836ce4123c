namespace Micro.BareMetal.Platform;

/// <summary>
/// The local APIC (xAPIC, MMIO at its base MSR): enabled with a spurious vector, the legacy PICs
/// masked, and the timer in periodic mode on <see cref="Idt.TimerVector"/>.
/// </summary>
internal static unsafe class Lapic
{
    private const uint ApicBaseMsr = 0x1B;
    private const uint Id = 0x20, Eoi = 0xB0, Spurious = 0xF0, LvtTimer = 0x320, InitialCount = 0x380, DivideConfig = 0x3E0;

    private static ulong s_base;

    public static ulong Ticks => PerCpu.Current->TimerTicks;

    public static void Init()
    {
        Cpu.OutB(0x21, 0xFF); // mask both 8259 PICs: every interrupt comes through the LAPIC
        Cpu.OutB(0xA1, 0xFF);
        ulong msr = Cpu.ReadMsr(ApicBaseMsr);
        Cpu.WriteMsr(ApicBaseMsr, msr | (1 << 11)); // global enable
        s_base = msr & 0xFFFFF000;
        Write(Spurious, 0x100 | Idt.SpuriousVector);
    }

    public static uint CurrentId => Read(Id) >> 24;

    /// <summary>Starts the periodic timer; <paramref name="count"/> bus cycles (divided by 16) per tick.</summary>
    public static void StartTimer(uint count)
    {
        Write(DivideConfig, 0x3);
        Write(LvtTimer, Idt.TimerVector | (1 << 17));
        Write(InitialCount, count);
    }

    public static void StopTimer() => Write(LvtTimer, 1 << 16);

    public static void OnTimer()
    {
        PerCpu.Current->TimerTicks++;
        Write(Eoi, 0);
    }

    private static uint Read(uint register) => *(uint*)(s_base + register);

    private static void Write(uint register, uint value) => *(uint*)(s_base + register) = value;
}
