namespace Micro.Core.Memory;

/// <summary>
/// Pages the core owns on behalf of a domain (its shared_info and grant frames before the domain maps
/// them into its own physical memory). The substrate supplies them: hosted, from a memfd it can also
/// share with a service process; bare metal, from its frame allocator.
/// </summary>
public abstract unsafe class PageAllocator
{
    public const int PageSize = 4096;

    /// <summary>A zeroed, 4096-byte-aligned page that stays at this address until freed; null when out of memory.</summary>
    public abstract byte* AllocatePage(int domid);

    public abstract void FreePage(byte* page);
}
