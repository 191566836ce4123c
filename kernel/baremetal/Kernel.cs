using System.Runtime.InteropServices;
using Micro.BareMetal.Boot;
using Micro.BareMetal.Platform;
using Micro.BareMetal.Runtime;

namespace Micro.BareMetal;

/// <summary>The managed entry: entry.asm calls kmain in long mode with the loader's magic and info.</summary>
internal static unsafe class Kernel
{
    [UnmanagedCallersOnly(EntryPoint = "kmain")]
    private static void Main(uint magic, uint info)
    {
        Serial.Init();
        Heap.Init((byte*)BootLayout.HeapStart, BootLayout.HeapEnd - BootLayout.HeapStart);
        Serial.WriteLine("micro: boot ok");
        Serial.Write("micro: loader magic ");
        Serial.WriteHex(magic);
        Serial.WriteLine();
        QemuExit.Exit(true);
        Panic.Stop();
    }
}
