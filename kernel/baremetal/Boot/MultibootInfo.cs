namespace Micro.BareMetal.Boot;

/// <summary>
/// Reads what a multiboot1 or multiboot2 loader hands over: the memory map and the command line.
/// Every address and length in the structure is checked against <c>physicalLimit</c> before it is
/// read, so a malformed structure yields an error string, never a wild read. Physical address A is
/// read at <c>physicalBase + A</c> (zero on bare metal, a buffer in the host tests).
/// </summary>
internal static unsafe class MultibootInfo
{
    public const uint Multiboot1Magic = 0x2BADB002;
    public const uint Multiboot2Magic = 0x36D76289;
    private const ulong MaxInfoSize = 64 * 1024;

    public static string? Parse(uint magic, ulong info, byte* physicalBase, ulong physicalLimit, BootInfo result)
    {
        var reader = new PhysicalReader(physicalBase, physicalLimit);
        return magic switch
        {
            Multiboot1Magic => ParseV1(reader, info, result),
            Multiboot2Magic => ParseV2(reader, info, result),
            _ => "unknown loader magic",
        };
    }

    private static string? ParseV1(PhysicalReader r, ulong info, BootInfo result)
    {
        if (!r.Readable(info, 52))
            return "multiboot1 info outside memory";
        result.InfoStart = info;
        result.InfoEnd = info + 52;
        uint flags = r.U32(info);
        if ((flags & (1 << 2)) != 0)
        {
            ulong cmdline = r.U32(info + 16);
            string? error = ReadCommandLine(r, cmdline, 4096, result);
            if (error is not null)
                return error;
        }
        if ((flags & (1 << 6)) == 0)
            return "multiboot1 info has no memory map";
        ulong length = r.U32(info + 44);
        ulong map = r.U32(info + 48);
        if (length > MaxInfoSize || !r.Readable(map, length))
            return "multiboot1 memory map outside memory";
        ulong end = map + length;
        for (ulong entry = map; entry < end;)
        {
            if (end - entry < 24)
                return "multiboot1 memory map entry truncated";
            uint size = r.U32(entry);
            if (size < 20 || size > end - entry - 4)
                return "multiboot1 memory map entry size invalid";
            string? error = result.AddRegion(r.U64(entry + 4), r.U64(entry + 12), r.U32(entry + 20));
            if (error is not null)
                return error;
            entry += size + 4;
        }
        return result.RegionCount == 0 ? "memory map is empty" : null;
    }

    private static string? ParseV2(PhysicalReader r, ulong info, BootInfo result)
    {
        if ((info & 7) != 0 || !r.Readable(info, 8))
            return "multiboot2 info misaligned or outside memory";
        uint total = r.U32(info);
        if (total < 16 || total > MaxInfoSize || !r.Readable(info, total))
            return "multiboot2 info size invalid";
        result.InfoStart = info;
        result.InfoEnd = info + total;
        ulong end = info + total;
        bool sawEnd = false, sawMap = false;
        for (ulong tag = info + 8; tag < end && !sawEnd;)
        {
            if (end - tag < 8)
                return "multiboot2 tag truncated";
            uint type = r.U32(tag);
            uint size = r.U32(tag + 4);
            if (size < 8 || size > end - tag)
                return "multiboot2 tag size invalid";
            switch (type)
            {
                case 0:
                    sawEnd = true;
                    break;
                case 1:
                    {
                        string? error = ReadCommandLine(r, tag + 8, size - 8, result);
                        if (error is not null)
                            return error;
                        break;
                    }
                case 6:
                    {
                        if (size < 16)
                            return "multiboot2 memory map tag truncated";
                        uint entrySize = r.U32(tag + 8);
                        if (entrySize < 24 || (entrySize & 7) != 0)
                            return "multiboot2 memory map entry size invalid";
                        for (ulong e = tag + 16; e + entrySize <= tag + size; e += entrySize)
                        {
                            string? error = result.AddRegion(r.U64(e), r.U64(e + 8), r.U32(e + 16));
                            if (error is not null)
                                return error;
                        }
                        sawMap = true;
                        break;
                    }
            }
            tag += (size + 7) & ~7u;
        }
        if (!sawEnd)
            return "multiboot2 info has no end tag";
        if (!sawMap)
            return "multiboot2 info has no memory map";
        return result.RegionCount == 0 ? "memory map is empty" : null;
    }

    /// <summary>A NUL-terminated string of at most <paramref name="max"/> bytes.</summary>
    private static string? ReadCommandLine(PhysicalReader r, ulong address, ulong max, BootInfo result)
    {
        ulong length = 0;
        while (true)
        {
            if (length >= max || length >= BootInfo.MaxCommandLine || !r.Readable(address + length, 1))
                return "command line unterminated or too long";
            byte b = r.U8(address + length);
            if (b == 0)
                break;
            result.CommandLine[length] = b;
            length++;
        }
        result.CommandLineLength = (int)length;
        return null;
    }

    /// <summary>Bounds-checked reads of physical memory.</summary>
    private readonly struct PhysicalReader
    {
        private readonly byte* _base;
        private readonly ulong _limit;

        public PhysicalReader(byte* physicalBase, ulong limit)
        {
            _base = physicalBase;
            _limit = limit;
        }

        public bool Readable(ulong address, ulong length) => address < _limit && length <= _limit - address;

        public byte U8(ulong address) => _base[address];

        public uint U32(ulong address) => Readable(address, 4) ? *(uint*)(_base + address) : 0;

        public ulong U64(ulong address) => Readable(address, 8) ? *(ulong*)(_base + address) : 0;
    }
}
