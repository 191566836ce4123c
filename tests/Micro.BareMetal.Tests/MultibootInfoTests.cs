using System.Buffers.Binary;
using Micro.BareMetal.Boot;

namespace Micro.BareMetal.Tests;

/// <summary>
/// The kernel's multiboot parser, compiled here from the kernel's own source, on well-formed and
/// malformed structures laid out in a buffer that stands for physical memory.
/// </summary>
public sealed unsafe class MultibootInfoTests
{
    private const uint V1 = MultibootInfo.Multiboot1Magic, V2 = MultibootInfo.Multiboot2Magic;

    private static string? Parse(uint magic, byte[] memory, ulong info, BootInfo result, ulong? limit = null)
    {
        fixed (byte* p = memory)
            return MultibootInfo.Parse(magic, info, p, limit ?? (ulong)memory.Length, result);
    }

    private static byte[] V2Info(params byte[][] tags)
    {
        var body = new List<byte>(new byte[8]);
        foreach (byte[] t in tags)
        {
            body.AddRange(t);
            while (body.Count % 8 != 0)
                body.Add(0);
        }
        body.AddRange(Tag(0, []));
        byte[] bytes = [.. body];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)bytes.Length);
        var memory = new byte[0x100 + bytes.Length];
        bytes.CopyTo(memory, 0x100);
        return memory;
    }

    private static byte[] Tag(uint type, byte[] payload)
    {
        var t = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(t, type);
        BinaryPrimitives.WriteUInt32LittleEndian(t.AsSpan(4), (uint)t.Length);
        payload.CopyTo(t, 8);
        return t;
    }

    private static byte[] MapTag(params (ulong Start, ulong Length, uint Type)[] entries)
    {
        var p = new byte[8 + (24 * entries.Length)];
        BinaryPrimitives.WriteUInt32LittleEndian(p, 24);
        for (int i = 0; i < entries.Length; i++)
        {
            var e = p.AsSpan(8 + (24 * i));
            BinaryPrimitives.WriteUInt64LittleEndian(e, entries[i].Start);
            BinaryPrimitives.WriteUInt64LittleEndian(e[8..], entries[i].Length);
            BinaryPrimitives.WriteUInt32LittleEndian(e[16..], entries[i].Type);
        }
        return Tag(6, p);
    }

    [Fact]
    public void Multiboot2_memory_map_and_command_line_are_read()
    {
        byte[] memory = V2Info(Tag(1, "test=ud\0"u8.ToArray()), MapTag((0, 0x9fc00, 1), (0x100000, 0xff00000, 1), (0xfffc0000, 0x40000, 2)));
        var info = new BootInfo();
        Assert.Null(Parse(V2, memory, 0x100, info));
        Assert.Equal(3, info.RegionCount);
        Assert.Equal(0x100000UL, info.Regions[1].Start);
        Assert.Equal(2u, info.Regions[2].Type);
        Assert.True(info.HasWord("test=ud"));
        Assert.False(info.HasWord("test"));
        Assert.Equal(0x100UL, info.InfoStart);
    }

    [Fact]
    public void Multiboot1_memory_map_is_read()
    {
        var memory = new byte[0x400];
        BinaryPrimitives.WriteUInt32LittleEndian(memory.AsSpan(0x100), 1 << 6);
        BinaryPrimitives.WriteUInt32LittleEndian(memory.AsSpan(0x100 + 44), 48);
        BinaryPrimitives.WriteUInt32LittleEndian(memory.AsSpan(0x100 + 48), 0x200);
        for (int i = 0; i < 2; i++)
        {
            var e = memory.AsSpan(0x200 + (24 * i));
            BinaryPrimitives.WriteUInt32LittleEndian(e, 20);
            BinaryPrimitives.WriteUInt64LittleEndian(e[4..], i == 0 ? 0UL : 0x100000UL);
            BinaryPrimitives.WriteUInt64LittleEndian(e[12..], 0x1000);
            BinaryPrimitives.WriteUInt32LittleEndian(e[20..], 1);
        }
        var info = new BootInfo();
        Assert.Null(Parse(V1, memory, 0x100, info));
        Assert.Equal(2, info.RegionCount);
        Assert.Equal(0x100000UL, info.Regions[1].Start);
    }

    [Fact]
    public void Unknown_magic_is_refused()
        => Assert.Equal("unknown loader magic", Parse(0x12345678, new byte[64], 0, new BootInfo()));

    [Fact]
    public void Multiboot1_map_pointing_outside_memory_is_refused()
    {
        var memory = new byte[0x200];
        BinaryPrimitives.WriteUInt32LittleEndian(memory.AsSpan(0x100), 1 << 6);
        BinaryPrimitives.WriteUInt32LittleEndian(memory.AsSpan(0x100 + 44), 48);
        BinaryPrimitives.WriteUInt32LittleEndian(memory.AsSpan(0x100 + 48), 0xFFFFFFF0);
        Assert.Equal("multiboot1 memory map outside memory", Parse(V1, memory, 0x100, new BootInfo()));
    }

    [Fact]
    public void Multiboot1_entry_with_huge_size_is_refused()
    {
        var memory = new byte[0x400];
        BinaryPrimitives.WriteUInt32LittleEndian(memory.AsSpan(0x100), 1 << 6);
        BinaryPrimitives.WriteUInt32LittleEndian(memory.AsSpan(0x100 + 44), 48);
        BinaryPrimitives.WriteUInt32LittleEndian(memory.AsSpan(0x100 + 48), 0x200);
        BinaryPrimitives.WriteUInt32LittleEndian(memory.AsSpan(0x200), 0xFFFFFFF0);
        Assert.Equal("multiboot1 memory map entry size invalid", Parse(V1, memory, 0x100, new BootInfo()));
    }

    [Fact]
    public void Info_beyond_the_limit_is_refused()
        => Assert.Equal("multiboot1 info outside memory", Parse(V1, new byte[0x200], 0x1F0, new BootInfo()));

    [Fact]
    public void Multiboot2_total_size_larger_than_memory_is_refused()
    {
        byte[] memory = V2Info(MapTag((0, 0x1000, 1)));
        BinaryPrimitives.WriteUInt32LittleEndian(memory.AsSpan(0x100), 0x8000);
        Assert.Equal("multiboot2 info size invalid", Parse(V2, memory, 0x100, new BootInfo()));
    }

    [Fact]
    public void Multiboot2_tag_running_past_the_end_is_refused()
    {
        byte[] memory = V2Info(MapTag((0, 0x1000, 1)));
        BinaryPrimitives.WriteUInt32LittleEndian(memory.AsSpan(0x100 + 12), 0x1000);
        Assert.Equal("multiboot2 tag size invalid", Parse(V2, memory, 0x100, new BootInfo()));
    }

    [Fact]
    public void Multiboot2_misaligned_info_is_refused()
        => Assert.Equal("multiboot2 info misaligned or outside memory", Parse(V2, new byte[0x200], 0x104, new BootInfo()));

    [Fact]
    public void Multiboot2_without_memory_map_is_refused()
        => Assert.Equal("multiboot2 info has no memory map", Parse(V2, V2Info(Tag(1, "x\0"u8.ToArray())), 0x100, new BootInfo()));

    [Fact]
    public void Unterminated_command_line_is_refused()
        => Assert.Equal("command line unterminated or too long", Parse(V2, V2Info(Tag(1, "abc"u8.ToArray()), MapTag((0, 0x1000, 1))), 0x100, new BootInfo()));

    [Fact]
    public void Wrapping_region_is_refused()
        => Assert.Equal("memory map region empty or wrapping", Parse(V2, V2Info(MapTag((ulong.MaxValue - 10, 0x1000, 1))), 0x100, new BootInfo()));

    [Fact]
    public void Too_many_regions_are_refused()
    {
        var entries = Enumerable.Range(0, BootInfo.MaxRegions + 1).Select(i => ((ulong)i * 0x1000, 0x1000UL, 1u)).ToArray();
        Assert.Equal("memory map has too many regions", Parse(V2, V2Info(MapTag(entries)), 0x100, new BootInfo()));
    }
}
