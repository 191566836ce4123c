using System.Globalization;
using System.Net;
using System.Net.Sockets;
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
        int port = FreePort();
        using var qemu = new ChildProcess("bash", [BareMetalImage.Script, "run", "--image", BareMetalImage.Folder, "--gdb-port", port.ToString(CultureInfo.InvariantCulture), "--cmdline", "guests=hello"]);
        WaitForGdbStub(qemu, port);
        using var session = new ChildProcess(gdb,
        [
            "-q", "-batch", "-nx", elf,
            "-ex", $"target remote 127.0.0.1:{port}",
            "-ex", "break kmain",
            "-ex", "continue",
            "-ex", "bt",
            "-ex", "break MicroKernel_Micro_BareMetal_Hypervisor_ExitHandler__Handle",
            "-ex", "continue",
            "-ex", "print (int)micro_running_domain",
            "-ex", "kill",
        ]);
        Assert.Equal(0, session.WaitForExit(TimeSpan.FromSeconds(300)));
        string output = session.Stdout;
        Assert.Contains("Breakpoint 1, MicroKernel_Micro_BareMetal_Kernel__Main", output, StringComparison.Ordinal);
        Assert.Contains("Kernel.cs", output, StringComparison.Ordinal);           // source lines from the DWARF ilc emitted
        Assert.Contains("in entry64 ()", output, StringComparison.Ordinal);       // the backtrace reaches the nasm stub
        Assert.Contains("ExitHandler.cs", output, StringComparison.Ordinal);
        Assert.Contains("$1 = 1", output, StringComparison.Ordinal);              // handling an exit of domain 1
    }

    /// <summary>A TCP port nobody listens on now (the kernel picks it), so parallel runs do not collide on :1234.</summary>
    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>
    /// Waits until something listens on <paramref name="port"/> (read from /proc/net/tcp: a probing
    /// connection would make QEMU resume the machine when it closes).
    /// </summary>
    private static void WaitForGdbStub(ChildProcess qemu, int port)
    {
        string suffix = ":" + port.ToString("X4", CultureInfo.InvariantCulture);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(qemu.HasExited, "QEMU ended before gdb attached\n" + qemu.Stderr);
            if (File.Exists("/proc/net/tcp") && File.ReadLines("/proc/net/tcp").Skip(1).Any(line => IsListening(line, suffix)))
                return;
            Thread.Sleep(100);
        }
        Assert.Fail($"QEMU's gdb stub did not listen on port {port}");
    }

    private static bool IsListening(string line, string suffix)
    {
        string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return f.Length > 3 && f[1].EndsWith(suffix, StringComparison.Ordinal) && f[3] == "0A";
    }
}
