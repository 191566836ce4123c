using Micro.Testing;

namespace Micro.BareMetal.Tests;

/// <summary>The documented debugging session: QEMU's gdb stub, kernel.elf's symbols, the running domain.</summary>
public sealed class GdbTests
{
    [QemuFact]
    public void Gdb_attaches_breaks_in_the_managed_kernel_and_shows_the_running_domain()
    {
        Requirements.Qemu();
        string gdb = Requirements.Tool("gdb");
        string elf = Path.Combine(BareMetalImage.Folder, "kernel.elf");
        using var qemu = new ChildProcess("bash", [BareMetalImage.Script, "run", "--gdb", "--cmdline", "guests=hello"]);
        WaitForGdbStub(qemu);
        using var session = new ChildProcess(gdb,
        [
            "-q", "-batch", "-nx", elf,
            "-ex", "target remote :1234",
            "-ex", "break kmain",
            "-ex", "continue",
            "-ex", "bt",
            "-ex", "break MicroKernel_Micro_BareMetal_Hypervisor_ExitHandler__Handle",
            "-ex", "continue",
            "-ex", "print (int)micro_running_domain",
            "-ex", "kill",
        ]);
        Assert.Equal(0, session.WaitForExit(TimeSpan.FromSeconds(90)));
        string output = session.Stdout;
        Assert.Contains("Breakpoint 1, MicroKernel_Micro_BareMetal_Kernel__Main", output, StringComparison.Ordinal);
        Assert.Contains("Kernel.cs", output, StringComparison.Ordinal);           // source lines from the DWARF ilc emitted
        Assert.Contains("in entry64 ()", output, StringComparison.Ordinal);       // the backtrace reaches the nasm stub
        Assert.Contains("ExitHandler.cs", output, StringComparison.Ordinal);
        Assert.Contains("$1 = 1", output, StringComparison.Ordinal);              // handling an exit of domain 1
    }

    /// <summary>
    /// Waits until something listens on :1234 (read from /proc/net/tcp: a probing connection would make
    /// QEMU resume the machine when it closes).
    /// </summary>
    private static void WaitForGdbStub(ChildProcess qemu)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(qemu.HasExited, "QEMU ended before gdb attached\n" + qemu.Stderr);
            foreach (string file in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
            {
                if (File.Exists(file) && File.ReadLines(file).Skip(1).Any(IsListeningOn1234))
                    return;
            }
            Thread.Sleep(100);
        }
        Assert.Fail("QEMU's gdb stub did not listen on :1234");
    }

    private static bool IsListeningOn1234(string line)
    {
        string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return f.Length > 3 && f[1].EndsWith(":04D2", StringComparison.Ordinal) && f[3] == "0A";
    }
}
