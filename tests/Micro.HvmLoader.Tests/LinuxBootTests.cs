using Micro.Testing;

namespace Micro.HvmLoader.Tests;

/// <summary>
/// Debian's linux-image-cloud-amd64 bzImage loaded by hvmloader on this host's software KVM. What
/// runs here: the boot protocol entry, the decompressor's command-line parsing and its serial
/// output ("KASLR disabled" for nokaslr). The kernel proper's banner is not reached on this host
/// (the decompressor stalls without exits, as unmodified Linux does under this KVM).
/// </summary>
public sealed class LinuxBootTests
{
    [KvmFact]
    public void Debians_cloud_kernel_is_entered_through_the_boot_protocol_and_its_decompressor_prints_on_the_uart()
    {
        const string cmd = "earlyprintk=ttyS0,115200 console=ttyS0 loglevel=8 nokaslr";
        var build = HvmLoader.Build(new GuestConfig(256UL << 20, 1), BootSource.Kernel(File.ReadAllBytes(DebianKernel()), null, cmd), FirmwareFixture.Uuid);
        Assert.Equal("linux", build.Protocol);
        using var guest = new HostedGuest(build);
        guest.Domain.Start();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!guest.Uart.Contains("KASLR disabled: 'nokaslr' on cmdline.", StringComparison.Ordinal) && !guest.Domain.IsShutDown && DateTime.UtcNow < deadline)
            Thread.Sleep(50);
        Assert.True(guest.Uart.Contains("KASLR disabled: 'nokaslr' on cmdline.", StringComparison.Ordinal), guest.Describe());
    }

    /// <summary>The kernel from .build/linux (ignored by git), fetched with apt-get download and unpacked on first use.</summary>
    private static string DebianKernel()
    {
        string dir = Path.Combine(Requirements.RepoRoot(), ".build", "linux");
        string boot = Path.Combine(dir, "x", "boot");
        if (!Directory.Exists(boot) || Directory.GetFiles(boot, "vmlinuz-*").Length == 0)
        {
            Directory.CreateDirectory(dir);
            Run(Requirements.Tool("apt-get"), ["download", "linux-image-cloud-amd64"], dir);
            // The meta package names the versioned image package it depends on.
            using var depends = new ChildProcess(Requirements.Tool("apt-cache"), ["depends", "linux-image-cloud-amd64"]);
            depends.WaitForExit(TimeSpan.FromSeconds(60));
            string image = depends.Stdout.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("Depends: linux-image-", StringComparison.Ordinal))["Depends: ".Length..];
            Run(Requirements.Tool("apt-get"), ["download", image], dir);
            string deb = Directory.GetFiles(dir, image + "_*.deb")[0];
            Run(Requirements.Tool("dpkg-deb"), ["-x", deb, Path.Combine(dir, "x")], dir);
        }
        return Directory.GetFiles(boot, "vmlinuz-*")[0];
    }

    private static void Run(string program, string[] args, string dir)
    {
        using var p = new ChildProcess(program, args, workingDirectory: dir);
        int exit = p.WaitForExit(TimeSpan.FromSeconds(300));
        Assert.True(exit == 0, $"{program} {string.Join(' ', args)} failed ({exit}): {p.Stderr}");
    }
}
