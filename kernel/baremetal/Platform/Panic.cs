using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using Micro.BareMetal.Boot;

namespace Micro.BareMetal.Platform;

/// <summary>The end of the kernel: the reason, a walk of the frame-pointer chain, then halt.</summary>
internal static class Panic
{
    [DoesNotReturn]
    public static void Halt(string reason)
    {
        Cpu.DisableInterrupts();
        Serial.Write("micro: PANIC: ");
        Serial.WriteLine(reason);
        WalkFrames(Cpu.ReadFramePointer());
        Stop();
    }

    [UnmanagedCallersOnly(EntryPoint = "kernel_fail_fast")]
    private static void FailFast() => Halt("fail fast (corrupted state)");

    /// <summary>Prints return addresses up the rbp chain (resolve them with `nm -n kernel.elf`).</summary>
    public static unsafe void WalkFrames(ulong rbp)
    {
        Serial.WriteLine("micro: frames:");
        for (int depth = 0; depth < 32 && BootLayout.StackContains(rbp, 16); depth++)
        {
            ulong next = *(ulong*)rbp;
            ulong ret = *(ulong*)(rbp + 8);
            Serial.Write("  #");
            Serial.WriteDec((ulong)depth);
            Serial.Write(" ");
            Serial.WriteHex(ret);
            Serial.WriteLine();
            if (next <= rbp)
                break;
            rbp = next;
        }
    }

    /// <summary>Reports failure to QEMU and halts forever.</summary>
    [DoesNotReturn]
    public static void Stop()
    {
        QemuExit.Exit(false);
        while (true)
        {
            Cpu.DisableInterrupts();
            Cpu.Halt();
        }
    }
}
