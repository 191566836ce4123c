namespace Micro.HvmLoader;

/// <summary>
/// What the toolstack asks for: RAM in bytes, vCPUs, and how many pages at the top of low RAM the
/// toolstack keeps for itself (the xenstore and console pages on the hosted substrate).
/// </summary>
public sealed record GuestConfig(ulong MemoryBytes, int Vcpus, int SpecialPages = 2)
{
    public const ulong MinMemory = 2 << 20;
    public const int MaxVcpus = 128;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first field that is out of range.</summary>
    public void Validate()
    {
        if (MemoryBytes < MinMemory || MemoryBytes % HvmLayout.PageSize != 0)
            throw new ArgumentException($"memory {MemoryBytes} bytes: need a whole number of pages, at least {MinMemory}");
        if (MemoryBytes > 1UL << 46)
            throw new ArgumentException($"memory {MemoryBytes} bytes is above the 64 TiB this loader maps");
        if (Vcpus < 1 || Vcpus > MaxVcpus)
            throw new ArgumentException($"vcpus {Vcpus}: need 1..{MaxVcpus}");
        if (SpecialPages < 0 || SpecialPages > 64)
            throw new ArgumentException($"special pages {SpecialPages}: need 0..64");
    }
}
