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
}
