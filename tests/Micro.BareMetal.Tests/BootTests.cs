using Micro.Testing;

namespace Micro.BareMetal.Tests;

public sealed class BootTests
{
    [QemuFact]
    public void Flat_image_boots_under_qemu_kernel_and_reports_success()
    {
        var (rc, serial) = BareMetalImage.Boot();
        Assert.Contains("micro: boot ok", serial, StringComparison.Ordinal);
        Assert.Contains("micro: loader magic 0x2badb002", serial, StringComparison.Ordinal); // multiboot1
        Assert.Equal(0, rc);
    }

    [QemuFact]
    public void Iso_boots_through_grub_multiboot2_on_bios()
    {
        var (rc, serial) = BareMetalImage.Boot(mode: "iso");
        Assert.Contains("micro: loader magic 0x36d76289", serial, StringComparison.Ordinal); // multiboot2
        Assert.Contains("micro: boot ok", serial, StringComparison.Ordinal);
        Assert.Equal(0, rc);
    }

    [QemuFact]
    public void Iso_boots_through_grub_multiboot2_on_uefi()
    {
        var (rc, serial) = BareMetalImage.Boot(mode: "uefi");
        Assert.Contains("micro: loader magic 0x36d76289", serial, StringComparison.Ordinal);
        Assert.Contains("micro: boot ok", serial, StringComparison.Ordinal);
        Assert.Equal(0, rc);
    }
}
