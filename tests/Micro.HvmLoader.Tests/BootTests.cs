using Micro.HvmLoader.Tests.Images;
using Micro.Kernel.Domains;
using Micro.Testing;

namespace Micro.HvmLoader.Tests;

/// <summary>Guests built by hvmloader boot on the hosted core (KVM) and print through the UART device model.</summary>
public sealed class BootTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private static void Boot(GuestConfig config, BootSource source, string expected)
    {
        var build = HvmLoader.Build(config, source, FirmwareFixture.Uuid);
        using var guest = new HostedGuest(build);
        var reason = guest.Run(Bound);
        Assert.True(reason == ShutdownReason.Poweroff, $"ended {reason?.ToString() ?? "not within the bound"}\n{guest.Describe()}");
        Assert.Contains(expected, guest.Uart, StringComparison.Ordinal);
        Assert.Contains(TestKernels.Success, guest.Uart, StringComparison.Ordinal);
        Assert.DoesNotContain("FAILURE", guest.Uart, StringComparison.Ordinal);
    }

    [KvmFact]
    public void A_multiboot_kernel_boots_in_protected_mode_and_prints_through_the_uart()
    {
        const string cmd = "console=ttyS0 micro.test=multiboot";
        var config = new GuestConfig(4UL << 20, 1);
        uint upperKiB = (uint)(((4UL << 20) - 0x100000 - 2 * 4096) / 1024);
        Boot(config, BootSource.Kernel(TestKernels.Multiboot(upperKiB, cmd), commandLine: cmd), TestKernels.Banner);
    }

    [KvmFact]
    public void A_pvh_kernel_boots_with_hvm_start_info_and_prints_through_the_uart()
    {
        const string cmd = "micro.test=pvh";
        Boot(new GuestConfig(4UL << 20, 1), BootSource.Kernel(TestKernels.Pvh(cmd), [9, 9, 9], cmd), "hello from a PVH kernel");
    }

    [KvmFact]
    public void A_bzimage_enters_at_its_64_bit_entry_with_the_zero_page_and_prints_through_the_uart()
    {
        const string cmd = "earlyprintk=ttyS0 micro.test=linux";
        byte[] initrd = new byte[3 << 20];
        Boot(new GuestConfig(64UL << 20, 1), BootSource.Kernel(TestKernels.BzImage(cmd, (uint)initrd.Length), initrd, cmd), "hello from a bzImage's 64-bit entry");
    }

    [KvmFact]
    public void Seabios_loaded_by_hvmloader_prints_its_banner_and_takes_the_memory_map_from_fw_cfg()
    {
        string bios = "/usr/share/seabios/bios.bin";
        Assert.True(File.Exists(bios), $"{bios} is missing: install Debian's seabios package");
        var build = HvmLoader.Build(new GuestConfig(64UL << 20, 1), BootSource.Bios(File.ReadAllBytes(bios)), FirmwareFixture.Uuid);
        using var guest = new HostedGuest(build);
        // QEMU's debug console (0x402): reads answer 0xe9 so SeaBIOS keeps printing there.
        var debug = new System.Text.StringBuilder();
        using var debugPort = new PortServer(guest.Domain, 0x402, 0x402, (_, _, write, value) =>
        {
            if (write)
                lock (debug) debug.Append((char)(byte)value);
            return write ? 0UL : 0xE9UL;
        });
        var fwcfg = new Bios.FwCfgDevice(build.FwCfg!);
        using var fwcfgPorts = new PortServer(guest.Domain, 0x510, 0x511, fwcfg.Access);
        string Text() { lock (debug) return debug.ToString(); }

        guest.Domain.Start();
        var deadline = DateTime.UtcNow + Bound;
        while (!Text().Contains("Relocating init", StringComparison.Ordinal) && !guest.Domain.IsShutDown && DateTime.UtcNow < deadline)
            Thread.Sleep(20);
        string text = Text();
        Assert.True(text.Contains("SeaBIOS (version", StringComparison.Ordinal), $"debug console:\n{text}\n{guest.Describe()}");
        // SeaBIOS read hvmloader's E820 map through fw_cfg instead of guessing from CMOS.
        Assert.True(text.Contains("[E820]", StringComparison.Ordinal) || text.Contains("qemu/e820", StringComparison.Ordinal), $"debug console:\n{text}");
        Assert.DoesNotContain("[cmos]", text, StringComparison.Ordinal);
    }
}
