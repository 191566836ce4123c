namespace Micro.HvmLoader;

/// <summary>
/// Guest memory as hvmloader builds it, before the guest exists: only the regions it wrote, each
/// checked to lie inside RAM or a reserved range of the memory map and to overlap no other. The
/// substrate copies the regions into the domain's memory; everything else is zero.
/// </summary>
public sealed class GuestImage
{
    private readonly List<GuestRegion> _regions = [];

    public GuestImage(GuestConfig config)
    {
        Config = config;
        Map = E820Map.Build(config);
    }

    public GuestConfig Config { get; }
    public E820Entry[] Map { get; }
    public IReadOnlyList<GuestRegion> Regions => _regions;

    /// <summary>Whether [gpa, gpa+length) is RAM in the memory map (where a kernel or module may go).</summary>
    public bool IsRam(ulong gpa, ulong length) => E820Map.Covers(Map, gpa, length, E820Type.Ram);

    /// <summary>
    /// Claims [gpa, gpa+length) for <paramref name="what"/> and returns its (zeroed) bytes to fill.
    /// Throws <see cref="InvalidImageException"/> when the range is outside RAM and the reserved
    /// ranges, or overlaps a region already claimed (two parts of one image, or an image over a table).
    /// </summary>
    public Span<byte> Allocate(ulong gpa, ulong length, string what)
    {
        if (length == 0 || length > int.MaxValue)
            throw new InvalidImageException($"{what}: size {length} bytes is not loadable");
        if (gpa > ulong.MaxValue - length || !E820Map.Covers(Map, gpa, length, E820Type.Ram, E820Type.Reserved, E820Type.Acpi))
            throw new InvalidImageException($"{what}: [{gpa:x}, {gpa + length:x}) is outside the guest's memory");
        foreach (var r in _regions)
        {
            if (gpa < r.End && r.Gpa < gpa + length)
                throw new InvalidImageException($"{what}: [{gpa:x}, {gpa + length:x}) overlaps {r.What} at [{r.Gpa:x}, {r.End:x})");
        }
        var region = new GuestRegion(gpa, new byte[length], what);
        int i = _regions.FindIndex(r => r.Gpa > gpa);
        _regions.Insert(i < 0 ? _regions.Count : i, region);
        return region.Bytes;
    }

    /// <summary>Claims a region and copies <paramref name="bytes"/> into it.</summary>
    public void Write(ulong gpa, ReadOnlySpan<byte> bytes, string what) => bytes.CopyTo(Allocate(gpa, (ulong)bytes.Length, what));

    /// <summary>The bytes at [gpa, gpa+length) if one region holds all of them.</summary>
    public bool TryRead(ulong gpa, int length, out ReadOnlySpan<byte> bytes)
    {
        foreach (var r in _regions)
        {
            if (gpa >= r.Gpa && length >= 0 && gpa - r.Gpa <= (ulong)r.Bytes.Length && (ulong)length <= r.End - gpa)
            {
                bytes = r.Bytes.AsSpan((int)(gpa - r.Gpa), length);
                return true;
            }
        }
        bytes = default;
        return false;
    }

    /// <summary>The lowest page-aligned RAM address at or above <paramref name="from"/> where <paramref name="length"/> bytes fit unclaimed.</summary>
    public ulong? FindFreeRam(ulong from, ulong length, ulong alignment = HvmLayout.PageSize, ulong below = ulong.MaxValue)
    {
        foreach (var e in Map)
        {
            if (e.Type != E820Type.Ram)
                continue;
            ulong at = Align(Math.Max(from, e.Base), alignment);
            while (at >= e.Base && at <= e.End && length <= e.End - at && at <= below - length)
            {
                var clash = _regions.Find(r => at < r.End && r.Gpa < at + length);
                if (clash is null)
                    return at;
                at = Align(clash.End, alignment);
            }
        }
        return null;
    }

    private static ulong Align(ulong value, ulong alignment) => (value + alignment - 1) & ~(alignment - 1);
}
