using System.Runtime.InteropServices;
using Micro.BareMetal.Boot;
using Micro.BareMetal.Hypervisor;
using Micro.BareMetal.Platform;
using Micro.BareMetal.Runtime;
using Micro.BareMetal.Svm;

namespace Micro.BareMetal;

/// <summary>
/// The managed entry: entry.asm calls kmain in long mode with the loader's magic and info. Brings up
/// the platform, runs its self-tests, then the hypervisor; the overall result (every guest ended, none
/// reported FAILURE) goes to QEMU's isa-debug-exit port. Command-line words `test=ud|pf|null|panic`
/// provoke a failure on purpose.
/// </summary>
internal static unsafe class Kernel
{
    private const ulong IdentityMapped = 4UL << 30;

    [UnmanagedCallersOnly(EntryPoint = "kmain")]
    private static void Main(uint magic, uint info)
    {
        ulong kmainTsc = Cpu.ReadTsc();
        Serial.Init();
        Heap.Init((byte*)BootLayout.HeapStart, BootLayout.HeapEnd - BootLayout.HeapStart);
        StaticsInitializer.Run();
        ExitBenchmark.KmainTsc = kmainTsc;
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
        bool passed = RunGuests(boot, pages);

        Serial.WriteLine("micro: all done");
        QemuExit.Exit(passed);
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

    /// <summary>Starts SVM and runs the embedded guests (all, or those named by `guests=a,b`) to completion.</summary>
    private static bool RunGuests(BootInfo boot, PageAllocator pages)
    {
        if (!SvmSupport.Available || !SvmSupport.NestedPaging)
        {
            Serial.WriteLine("micro: no SVM with nested paging on this CPU: no guests");
            return false;
        }
        if (!SvmSupport.Enable(pages) || !SvmVcpu.InitBitmaps(pages))
            Panic.Halt("SVM could not be enabled");
        Serial.Write("micro: svm on: nested paging, asids ");
        Serial.WriteDec((ulong)SvmSupport.AsidCount);
        Serial.WriteLine(SvmSupport.NextRipSave ? ", nrip-save" : ", no nrip-save (instruction lengths computed)");

        var core = new Micro.Core.Hypervisor(new SerialCoreLog(), new Micro.Core.NoCoreLock(), new CorePages(pages));
        var domains = new BareMetalDomain[EmbeddedGuests.Count];
        int count = 0;
        if (boot.FindValue("guests", out int listStart, out int listLength))
        {
            // Domains in the order the list names them.
            for (int i = listStart; i < listStart + listLength;)
            {
                int end = i;
                while (end < listStart + listLength && boot.CommandLine[end] != ',')
                    end++;
                int g = Find(boot, i, end - i);
                if (g < 0 || count == domains.Length)
                    Panic.Halt("guests= names a guest that is not embedded (or one twice too often)");
                domains[count++] = StartGuest(core, pages, g);
                i = end + 1;
            }
        }
        else
        {
            for (int g = 0; g < EmbeddedGuests.Count; g++)
            {
                if (EmbeddedGuests.RunsByDefault(g))
                    domains[count++] = StartGuest(core, pages, g);
            }
        }
        DomainScheduler.Trace = boot.HasWord("trace");
        DomainScheduler.Run(new ExitHandler(core), domains, count);
        Serial.WriteLine("micro: guests done");
        if (boot.HasWord("bench"))
            ExitBenchmark.Report(domains, count);
        return Summarize(domains, count);
    }

    /// <summary>Prints the guests' test results; false if any guest reported FAILURE or never ended.</summary>
    private static bool Summarize(BareMetalDomain[] domains, int count)
    {
        ulong passed = 0, failed = 0, silent = 0, running = 0;
        for (int i = 0; i < count; i++)
        {
            if (domains[i].TestResult > 0)
                passed++;
            else if (domains[i].TestResult < 0)
                failed++;
            else
                silent++;
            if (!domains[i].Stopped)
                running++;
        }
        Serial.Write("micro: guest results: ");
        Serial.WriteDec(passed);
        Serial.Write(" SUCCESS, ");
        Serial.WriteDec(failed);
        Serial.Write(" FAILURE, ");
        Serial.WriteDec(silent);
        Serial.WriteLine(" without a result");
        if (running > 0)
        {
            Serial.Write("micro: ");
            Serial.WriteDec(running);
            Serial.WriteLine(" guest(s) never ended");
        }
        return failed == 0 && running == 0;
    }

    private static BareMetalDomain StartGuest(Micro.Core.Hypervisor core, PageAllocator pages, int g)
    {
        BareMetalDomain? d = GuestLoader.Load(core, pages, g);
        if (d is null)
            Panic.Halt("could not build a guest");
        Serial.Write("micro: d");
        Serial.WriteDec(d.Id);
        Serial.Write(" = guest ");
        EmbeddedGuests.WriteName(g);
        Serial.WriteLine();
        return d;
    }

    /// <summary>The embedded guest named by CommandLine[start, start + length), or -1.</summary>
    private static int Find(BootInfo boot, int start, int length)
    {
        for (int g = 0; g < EmbeddedGuests.Count; g++)
        {
            if (EmbeddedGuests.NameEquals(g, boot.CommandLine, start, length))
                return g;
        }
        return -1;
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
