using Micro.HvmLoader.Tests.Readers;

namespace Micro.HvmLoader.Tests;

public sealed class MpTableTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(64)]
    public void One_processor_entry_per_vcpu_and_isa_irqs_routed_to_the_ioapic(int vcpus)
    {
        var (_, _, mem) = FirmwareFixture.Build(128UL << 20, vcpus);
        var entries = MpReader.Read(mem);
        var cpus = entries.Where(e => e[0] == 0).ToList();
        Assert.Equal(vcpus, cpus.Count);
        Assert.Single(cpus, e => (e[3] & 2) != 0);
        Assert.Equal(3, cpus.Single(e => (e[3] & 2) != 0)[3] & 3); // the BSP is enabled
        Assert.All(cpus, e => Assert.Equal(1, e[3] & 1));
        Assert.Equal(vcpus, cpus.Select(e => e[1]).Distinct().Count());

        var ioapic = Assert.Single(entries, e => e[0] == 2);
        Assert.Equal(0xFEC00000u, BitConverter.ToUInt32(ioapic, 4));
        var irqs = entries.Where(e => e[0] == 3).ToList();
        Assert.Equal(15, irqs.Count);
        Assert.All(irqs, e => Assert.Equal(ioapic[1], e[6]));
        Assert.Equal(2, irqs.Single(e => e[5] == 0)[7]);
        Assert.Equal(4, irqs.Single(e => e[5] == 4)[7]);
        Assert.Equal(2, entries.Count(e => e[0] == 1));
    }
}
