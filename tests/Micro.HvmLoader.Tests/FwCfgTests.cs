using Micro.HvmLoader.Bios;

namespace Micro.HvmLoader.Tests;

public sealed class FwCfgTests
{
    [Fact]
    public void The_selector_rewinds_and_reads_stop_at_the_end_of_an_item()
    {
        var config = new GuestConfig(64UL << 20, 3);
        var device = new FwCfgDevice(new FwCfgItems(config, E820Map.Build(config)));
        device.Access(0x510, 2, true, FwCfgItems.Signature);
        Assert.Equal("QEMU", string.Concat(Enumerable.Range(0, 4).Select(_ => (char)device.Access(0x511, 1, false, 0))));
        Assert.Equal(0UL, device.Access(0x511, 1, false, 0)); // past the end
        device.Access(0x510, 2, true, FwCfgItems.NbCpus);
        Assert.Equal(3UL, device.Access(0x511, 2, false, 0));
        device.Access(0x510, 2, true, 0x7777); // no such item
        Assert.Equal(0UL, device.Access(0x511, 1, false, 0));
        device.Access(0x510, 1, true, FwCfgItems.Signature); // a byte write is not a selection
        Assert.Equal(0x7777, device.Selected);
        Assert.Equal(0UL, device.Access(0x512, 1, false, 0));
    }

    [Fact]
    public void File_names_are_checked()
    {
        var config = new GuestConfig(64UL << 20, 1);
        var items = new FwCfgItems(config, E820Map.Build(config));
        Assert.Throws<ArgumentException>(() => items.AddFile(new string('a', 56), []));
        Assert.Throws<ArgumentException>(() => items.AddFile("etc/e820", []));
        Assert.Throws<ArgumentException>(() => items.AddFile("bad\nname", []));
    }
}
