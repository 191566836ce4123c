using System.Globalization;
using System.Text.RegularExpressions;
using Micro.Testing;

namespace Micro.BareMetal.Tests;

/// <summary>The early platform, checked through what the kernel prints on its serial port.</summary>
public sealed partial class PlatformTests
{
    [QemuFact]
    public void Boot_reports_memory_map_page_allocator_and_timer()
    {
        var (rc, serial) = BareMetalImage.Boot();
        Assert.Equal(0, rc);
        // QEMU -m 256: low memory, then usable RAM from 1 MiB to just under 256 MiB.
        Assert.Contains("micro: memory 0x0-0x9fbff usable", serial, StringComparison.Ordinal);
        Assert.Contains("micro: memory 0x100000-0xffdffff usable", serial, StringComparison.Ordinal);
        Match pages = PageAllocatorLine().Match(serial);
        Assert.True(pages.Success, serial);
        long free = long.Parse(pages.Groups[1].Value, CultureInfo.InvariantCulture);
        long total = long.Parse(pages.Groups[2].Value, CultureInfo.InvariantCulture);
        Assert.InRange(free, 50_000, total); // the image, low memory and page tables are taken out
        Assert.Matches(@"micro: lapic timer ok: [3-9] ticks", serial);
        Assert.Contains("micro: all done", serial, StringComparison.Ordinal);
    }

    [QemuFact]
    public void Invalid_opcode_is_reported_with_vector_and_the_faulting_rip()
    {
        var (rc, serial) = BareMetalImage.Boot("test=ud");
        Assert.Equal(1, rc);
        ulong ud2 = Symbols.Address("cpu_ud2");
        Assert.Contains($"micro: EXCEPTION vector 6 (#UD) error 0x0 rip 0x{ud2:x} ", serial, StringComparison.Ordinal);
        Assert.Matches(@"rax=0x[0-9a-f]+ +rbx=0x[0-9a-f]+", serial);
        AssertFrameWalkReachesKernelMain(serial);
    }

    [QemuFact]
    public void Page_fault_on_unmapped_memory_reports_error_code_and_cr2()
    {
        var (rc, serial) = BareMetalImage.Boot("test=pf");
        Assert.Equal(1, rc);
        ulong read = Symbols.Address("cpu_read_at");
        Assert.Contains($"micro: EXCEPTION vector 14 (#PF) error 0x0 rip 0x{read:x} cr2 0x4000000000", serial, StringComparison.Ordinal);
        Assert.DoesNotContain("micro: all done", serial, StringComparison.Ordinal);
    }

    [QemuFact]
    public void Null_dereference_faults_because_page_zero_is_unmapped()
    {
        var (rc, serial) = BareMetalImage.Boot("test=null");
        Assert.Equal(1, rc);
        Assert.Contains("(#PF) error 0x0", serial, StringComparison.Ordinal);
        Assert.Contains(" cr2 0x0\n", serial.Replace("\r", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [QemuFact]
    public void Panic_prints_the_reason_and_a_frame_walk()
    {
        var (rc, serial) = BareMetalImage.Boot("test=panic");
        Assert.Equal(1, rc);
        Assert.Contains("micro: PANIC: requested on the command line", serial, StringComparison.Ordinal);
        AssertFrameWalkReachesKernelMain(serial);
    }

    /// <summary>Some return address of the walk lies in the managed entry (Kernel.Main) or its stub caller.</summary>
    private static void AssertFrameWalkReachesKernelMain(string serial)
    {
        Assert.Contains("micro: frames:", serial, StringComparison.Ordinal);
        var names = FrameLine().Matches(serial)
            .Select(m => Symbols.Containing(ulong.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture)))
            .ToList();
        Assert.Contains(names, n => n.Contains("Kernel__Main", StringComparison.Ordinal) || n == "kmain" || n.StartsWith("entry64", StringComparison.Ordinal));
    }

    [GeneratedRegex(@"micro: page allocator ok: (\d+) free of (\d+) frames")]
    private static partial Regex PageAllocatorLine();

    [GeneratedRegex(@"  #\d+ 0x([0-9a-f]+)")]
    private static partial Regex FrameLine();
}
