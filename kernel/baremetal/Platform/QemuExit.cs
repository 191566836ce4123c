namespace Micro.BareMetal.Platform;

/// <summary>
/// QEMU's isa-debug-exit device (iobase 0xf4): writing v ends QEMU with status (v &lt;&lt; 1) | 1,
/// so the host sees 1 for success and 3 for failure. On real hardware the write goes nowhere.
/// </summary>
internal static class QemuExit
{
    public static void Exit(bool success)
    {
        Cpu.OutL(0xF4, success ? 0u : 1u);
    }
}
