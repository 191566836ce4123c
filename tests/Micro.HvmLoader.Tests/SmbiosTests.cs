using Micro.HvmLoader.Tests.Readers;

namespace Micro.HvmLoader.Tests;

public sealed class SmbiosTests
{
    [Theory]
    [InlineData(64UL << 20, 1)]
    [InlineData(6UL << 30, 3)]
    [InlineData(64UL << 30, 16)]
    public void The_structures_describe_the_configured_guest(ulong memory, int vcpus)
    {
        var (_, _, mem) = FirmwareFixture.Build(memory, vcpus);
        var entries = SmbiosReader.Read(mem);
        Assert.Equal(entries.Count, entries.Select(e => e.Handle).Distinct().Count());
        Assert.Equal(127, entries[^1].Type);
        Assert.Equal(new byte[] { 0, 1, 16, 17, 32, 127 }, entries.Select(e => e.Type).Where(t => t != 4).ToArray());
        Assert.Equal(vcpus, entries.Count(e => e.Type == 4));

        var bios = entries.Single(e => e.Type == 0);
        Assert.Equal("Micro", bios.StringAt(4));
        Assert.Equal(0x10, bios.Formatted[0x13] & 0x10); // virtual machine

        var system = entries.Single(e => e.Type == 1);
        Assert.Equal(FirmwareFixture.Uuid, new Guid(system.Formatted.AsSpan(8, 16)));
        Assert.Equal(FirmwareFixture.Uuid.ToString(), system.StringAt(7));

        Assert.All(entries.Where(e => e.Type == 4), e => Assert.Equal(0x41, e.Formatted[0x18]));
        Assert.Equal(vcpus, entries.Where(e => e.Type == 4).Select(e => e.StringAt(4)).Distinct().Count());

        var array = entries.Single(e => e.Type == 16);
        ulong capacity = BitConverter.ToUInt32(array.Formatted, 7) == 0x80000000 ? BitConverter.ToUInt64(array.Formatted, 15) : BitConverter.ToUInt32(array.Formatted, 7) * 1024UL;
        Assert.Equal(memory, capacity);

        var dimm = entries.Single(e => e.Type == 17);
        Assert.Equal(array.Handle, BitConverter.ToUInt16(dimm.Formatted, 4));
        ushort size = BitConverter.ToUInt16(dimm.Formatted, 12);
        ulong mib = size == 0x7FFF ? BitConverter.ToUInt32(dimm.Formatted, 0x1C) : size;
        Assert.Equal(memory >> 20, mib);
    }
}
