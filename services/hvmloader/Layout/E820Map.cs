namespace Micro.HvmLoader;

/// <summary>
/// The guest's memory map, as every boot protocol reports it: RAM below the EBDA, the reserved
/// EBDA and BIOS area, RAM from 1 MiB to the special pages (reserved) at the top of low RAM,
/// nothing in the PCI/MMIO hole, the reserved APIC/firmware range below 4 GiB, and the RAM the
/// hole displaced above 4 GiB. Sorted, non-overlapping.
/// </summary>
public static class E820Map
{
    public static E820Entry[] Build(GuestConfig config)
    {
        config.Validate();
        ulong lowEnd = HvmLayout.LowMemoryEnd(config.MemoryBytes);
        ulong special = (ulong)config.SpecialPages * HvmLayout.PageSize;
        if (lowEnd - special <= HvmLayout.HighMemoryStart)
            throw new ArgumentException($"memory {config.MemoryBytes} bytes leaves no RAM above 1 MiB");
        var map = new List<E820Entry>
        {
            new(0, HvmLayout.EbdaStart, E820Type.Ram),
            new(HvmLayout.EbdaStart, HvmLayout.VgaHoleStart - HvmLayout.EbdaStart, E820Type.Reserved),
            new(HvmLayout.BiosAreaStart, HvmLayout.BiosAreaEnd - HvmLayout.BiosAreaStart, E820Type.Reserved),
            new(HvmLayout.HighMemoryStart, lowEnd - special - HvmLayout.HighMemoryStart, E820Type.Ram),
        };
        if (special > 0)
            map.Add(new(lowEnd - special, special, E820Type.Reserved));
        map.Add(new(HvmLayout.ReservedHighStart, HvmLayout.FourGiB - HvmLayout.ReservedHighStart, E820Type.Reserved));
        ulong high = HvmLayout.HighMemorySize(config.MemoryBytes);
        if (high > 0)
            map.Add(new(HvmLayout.FourGiB, high, E820Type.Ram));
        return [.. map];
    }

    /// <summary>Whether [gpa, gpa+length) lies inside one entry of one of the given types.</summary>
    public static bool Covers(ReadOnlySpan<E820Entry> map, ulong gpa, ulong length, params ReadOnlySpan<E820Type> types)
    {
        foreach (var e in map)
        {
            if (gpa >= e.Base && length <= e.Length && gpa - e.Base <= e.Length - length)
                return types.Contains(e.Type);
        }
        return false;
    }

    /// <summary>KiB of RAM below 640 KiB and above 1 MiB (up to the first hole), as multiboot's mem_lower/mem_upper.</summary>
    public static (uint Lower, uint Upper) LegacySizes(ReadOnlySpan<E820Entry> map)
    {
        ulong lower = 0, upper = 0;
        foreach (var e in map)
        {
            if (e.Type != E820Type.Ram)
                continue;
            if (e.Base == 0)
                lower = Math.Min(e.Length, HvmLayout.VgaHoleStart);
            else if (e.Base == HvmLayout.HighMemoryStart)
                upper = e.Length;
        }
        return ((uint)(lower / 1024), (uint)Math.Min(upper / 1024, uint.MaxValue));
    }
}
