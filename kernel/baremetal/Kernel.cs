using System.Runtime.InteropServices;
using Micro.BareMetal.Boot;
using Micro.BareMetal.Platform;
using Micro.BareMetal.Runtime;

namespace Micro.BareMetal;

/// <summary>
/// The managed entry: entry.asm calls kmain in long mode with the loader's magic and info. Brings up
/// the platform, runs its self-tests, then the hypervisor; the overall result goes to QEMU's
/// isa-debug-exit port. Command-line words `test=ud|pf|null|panic` provoke a failure on purpose.
/// </summary>
internal static unsafe class Kernel
{
    private const ulong IdentityMapped = 4UL << 30;

    [UnmanagedCallersOnly(EntryPoint = "kmain")]
    private static void Main(uint magic, uint info)
    {
        Serial.Init();
        Heap.Init((byte*)BootLayout.HeapStart, BootLayout.HeapEnd - BootLayout.HeapStart);
        StaticsInitializer.Run();
        Serial.WriteLine("micro: boot ok");
        Serial.Write("micro: loader magic ");
        Serial.WriteHex(magic);
        Serial.WriteLine();

        var boot = new BootInfo();
        string? error = MultibootInfo.Parse(magic, info, null, IdentityMapped, boot);
        if (error is not null)
            Panic.Halt(error);
        PrintBootInfo(boot);

        PerCpu.Init(0);
        Idt.Init();
        var pages = new PageAllocator(boot, BootLayout.ImageStart, BootLayout.ImageEnd);
        Paging.Init(pages);
        SelfTest.PageAllocator(pages);
        Lapic.Init();
        SelfTest.Timer();
        ProvokeRequestedFault(boot);

        Serial.WriteLine("micro: all done");
        QemuExit.Exit(true);
        Panic.Stop();
    }

    private static void PrintBootInfo(BootInfo boot)
    {
        Serial.Write("micro: cmdline '");
        for (int i = 0; i < boot.CommandLineLength; i++)
            Serial.WriteByte(boot.CommandLine[i]);
        Serial.WriteLine("'");
        for (int i = 0; i < boot.RegionCount; i++)
        {
            MemoryRegion r = boot.Regions[i];
            Serial.Write("micro: memory ");
            Serial.WriteHex(r.Start);
            Serial.Write("-");
            Serial.WriteHex(r.Start + r.Length - 1);
            Serial.Write(r.Type == BootInfo.Usable ? " usable" : " reserved");
            Serial.WriteLine();
        }
    }

    private static void ProvokeRequestedFault(BootInfo boot)
    {
        if (boot.HasWord("test=ud"))
            Cpu.InvalidOpcode();
        if (boot.HasWord("test=pf"))
            Cpu.ReadAt(0x4000000000);
        if (boot.HasWord("test=null"))
            Cpu.ReadAt(0);
        if (boot.HasWord("test=panic"))
            Panic.Halt("requested on the command line");
    }
}
