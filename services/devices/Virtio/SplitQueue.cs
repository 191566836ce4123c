using System.Runtime.InteropServices;
using Micro.Devices.Host;

namespace Micro.Devices.Virtio;

/// <summary>A virtqueue descriptor (virtio 1.x §2.7.5, the same in legacy): 16 bytes in guest memory.</summary>
[StructLayout(LayoutKind.Sequential, Size = 16)]
public struct VirtqDesc
{
    public ulong Addr;
    public uint Len;
    public ushort Flags;
    public ushort Next;

    public const ushort F_NEXT = 1, F_WRITE = 2, F_INDIRECT = 4;
}

/// <summary>One guest buffer of a request, already checked to lie inside guest RAM.</summary>
public readonly record struct Segment(ulong Addr, uint Len, bool Writable);

/// <summary>
/// A legacy split virtqueue of <see cref="Size"/> entries at a guest page: descriptor table, avail
/// ring, then (page-aligned) used ring. Everything read from guest memory is read once into locals
/// and checked before use: indices against the size, buffers against RAM, chains against loops and
/// length limits. A violation yields a reason, and the device stops (needs reset); nothing outside
/// the guest's RAM is ever touched.
/// </summary>
public readonly struct SplitQueue
{
    public const uint PageSize = 4096;
    /// <summary>Largest request we take: more is a guest trying to make us allocate or loop.</summary>
    public const ulong MaxChainBytes = 4 << 20;

    public ulong Desc { get; }
    public ulong Avail { get; }
    public ulong Used { get; }
    public ushort Size { get; }

    public SplitQueue(uint pfn, ushort size)
    {
        Size = size;
        Desc = (ulong)pfn * PageSize;
        Avail = Desc + 16UL * size;
        Used = (Avail + 6 + 2UL * size + PageSize - 1) & ~(ulong)(PageSize - 1);
    }

    public ulong End => Used + 6 + 8UL * Size;

    /// <summary>Bytes from the ring base to the end of the used ring (what must fit in RAM).</summary>
    public static ulong Footprint(ushort size) => new SplitQueue(0, size).End;

    public bool FitsIn(GuestRam ram) => ram.Contains(Desc, End - Desc);

    public ushort AvailIndex(GuestRam ram) => Volatile.Read(ref ram.At<ushort>(Avail + 2));

    public ushort AvailEntry(GuestRam ram, ushort index) => Volatile.Read(ref ram.At<ushort>(Avail + 4 + 2UL * (ushort)(index % Size)));

    public void WriteUsed(GuestRam ram, ushort index, uint id, uint len)
    {
        ulong e = Used + 4 + 8UL * (ushort)(index % Size);
        ram.At<uint>(e) = id;
        ram.At<uint>(e + 4) = len;
    }

    public void PublishUsed(GuestRam ram, ushort index) => Volatile.Write(ref ram.At<ushort>(Used + 2), index);

    /// <summary>
    /// Walks the chain at <paramref name="head"/> into <paramref name="segments"/>; null when it is sound,
    /// else why not. Device-readable segments must come before device-writable ones (virtio §2.7.4.2).
    /// </summary>
    public string? Walk(GuestRam ram, ushort head, List<Segment> segments, out ulong total)
    {
        segments.Clear();
        total = 0;
        ushort index = head;
        bool sawWritable = false;
        for (int n = 0; ; n++)
        {
            if (index >= Size)
                return $"descriptor index {index} is outside a queue of {Size}";
            if (n >= Size)
                return $"the chain from descriptor {head} is longer than the queue: a loop";
            VirtqDesc d = ram.At<VirtqDesc>(Desc + 16UL * index); // one copy: the guest may change it under us
            if ((d.Flags & VirtqDesc.F_INDIRECT) != 0)
                return $"descriptor {index} is indirect, which was not negotiated";
            if (!ram.Contains(d.Addr, d.Len))
                return $"descriptor {index} points outside guest memory ({d.Addr:x}+{d.Len:x})";
            bool writable = (d.Flags & VirtqDesc.F_WRITE) != 0;
            if (sawWritable && !writable)
                return $"descriptor {index} is device-readable after a device-writable one";
            sawWritable |= writable;
            total += d.Len;
            if (total > MaxChainBytes)
                return $"the chain from descriptor {head} is larger than {MaxChainBytes} bytes";
            segments.Add(new Segment(d.Addr, d.Len, writable));
            if ((d.Flags & VirtqDesc.F_NEXT) == 0)
                return null;
            index = d.Next;
        }
    }
}
