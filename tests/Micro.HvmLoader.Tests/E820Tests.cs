using Micro.HvmLoader;

namespace Micro.HvmLoader.Tests;

public sealed class E820Tests
{
    public static TheoryData<ulong, int> Sizes => new()
    {
        { 4UL << 20, 2 }, { 256UL << 20, 2 }, { 0xF0000000, 0 }, { 6UL << 30, 2 }, { (6UL << 30) + 4096, 1 }, { 64UL << 30, 0 },
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void The_map_accounts_for_all_memory_and_keeps_ram_out_of_the_holes(ulong memory, int special)
    {
        var map = E820Map.Build(new GuestConfig(memory, 1, special));
        for (int i = 1; i < map.Length; i++)
            Assert.True(map[i - 1].End <= map[i].Base, $"entries {i - 1} and {i} overlap or are unsorted");
        Assert.All(map, e => Assert.True(e.Length > 0));

        ulong ram = map.Where(e => e.Type == E820Type.Ram).Aggregate(0UL, (s, e) => s + e.Length);
        // RAM lost to the legacy holes is the first MiB above the EBDA; the special pages are reserved.
        Assert.Equal(memory - (0x100000 - 0x9FC00) - (ulong)special * 4096, ram);
        foreach (var e in map.Where(e => e.Type == E820Type.Ram))
        {
            Assert.False(e.Base < 0x100000 && e.End > 0x9FC00, $"RAM {e.Base:x}..{e.End:x} covers the EBDA, VGA or BIOS area");
            Assert.False(e.Base < 0x100000000 && e.End > 0xF0000000, $"RAM {e.Base:x}..{e.End:x} covers the MMIO hole");
        }
        ulong lowEnd = Math.Min(memory, 0xF0000000);
        Assert.Contains(map, e => e.Type == E820Type.Ram && e.Base == 0x100000 && e.End == lowEnd - (ulong)special * 4096);
        if (special > 0)
            Assert.Contains(map, e => e.Type == E820Type.Reserved && e.Base == lowEnd - (ulong)special * 4096 && e.End == lowEnd);
        Assert.Contains(map, e => e.Type == E820Type.Reserved && e.Base <= 0xFEC00000 && e.End >= 0xFEE01000);
        if (memory > 0xF0000000)
            Assert.Contains(map, e => e.Type == E820Type.Ram && e.Base == 0x100000000 && e.Length == memory - 0xF0000000);
        else
            Assert.DoesNotContain(map, e => e.End > 0x100000000);
    }

    [Theory]
    [InlineData(0UL, 1)]
    [InlineData(1UL << 20, 1)]
    [InlineData((4UL << 20) + 1, 1)]
    [InlineData(4UL << 20, 0)]
    [InlineData(4UL << 20, 129)]
    public void Impossible_configurations_are_refused(ulong memory, int vcpus)
    {
        var e = Assert.Throws<ArgumentException>(() => E820Map.Build(new GuestConfig(memory, vcpus)));
        Assert.Contains(vcpus is 0 or 129 ? "vcpus" : "memory", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_image_refuses_regions_outside_the_map_and_overlapping_ones()
    {
        var image = new GuestImage(new GuestConfig(4UL << 20, 1));
        image.Write(0x100000, new byte[4096], "kernel");
        Assert.Contains("overlaps kernel", Assert.Throws<InvalidImageException>(() => image.Write(0x100800, new byte[16], "initrd")).Message, StringComparison.Ordinal);
        Assert.Contains("outside the guest's memory", Assert.Throws<InvalidImageException>(() => image.Write(0xA0000, new byte[16], "vga")).Message, StringComparison.Ordinal);
        Assert.Contains("outside the guest's memory", Assert.Throws<InvalidImageException>(() => image.Write((4UL << 20) - 8, new byte[16], "tail")).Message, StringComparison.Ordinal);
        Assert.Throws<InvalidImageException>(() => image.Allocate(ulong.MaxValue - 4, 16, "wrap"));
        Assert.Equal(0x101000UL, image.FindFreeRam(0x100000, 4096));
    }
}
