using Micro.BareMetal.Platform;

namespace Micro.BareMetal.Svm;

/// <summary>
/// A domain's nested page tables: guest-physical to host-physical, 4 KiB pages, four levels. Only what
/// is mapped here exists for the guest; any other access is a nested page fault.
/// </summary>
internal sealed unsafe class NestedPaging
{
    private const ulong Present = 1, Writable = 2, User = 4; // nested walks are user accesses
    private const ulong AddressMask = 0x000FFFFFFFFFF000;

    private readonly PageAllocator _pages;

    public NestedPaging(PageAllocator pages)
    {
        _pages = pages;
        Root = pages.Allocate();
    }

    /// <summary>Physical address of the top table (the VMCB's nested CR3), 0 if out of memory.</summary>
    public ulong Root { get; }

    /// <summary>Guest-physical addresses the four levels reach; a higher one would alias a lower one.</summary>
    public const ulong AddressLimit = 1UL << 48;

    /// <summary>
    /// Maps guest frame <paramref name="gpa"/> to host frame <paramref name="hpa"/>; false when out of
    /// memory or when <paramref name="gpa"/> lies beyond <see cref="AddressLimit"/>.
    /// </summary>
    public bool Map(ulong gpa, ulong hpa, bool writable)
    {
        if (gpa >= AddressLimit)
            return false;
        ulong* table = (ulong*)Root;
        for (int level = 3; level > 0; level--)
        {
            ulong index = (gpa >> (12 + (9 * level))) & 511;
            if ((table[index] & Present) == 0)
            {
                ulong next = _pages.Allocate();
                if (next == 0)
                    return false;
                table[index] = next | Present | Writable | User;
            }
            table = (ulong*)(table[index] & AddressMask);
        }
        table[(gpa >> 12) & 511] = (hpa & AddressMask) | Present | User | (writable ? Writable : 0);
        return true;
    }

    /// <summary>Removes the mapping of guest frame <paramref name="gpa"/> (TLBs are flushed on every VMRUN).</summary>
    public void Unmap(ulong gpa)
    {
        if (gpa >= AddressLimit)
            return;
        ulong* table = (ulong*)Root;
        for (int level = 3; level > 0; level--)
        {
            ulong entry = table[(gpa >> (12 + (9 * level))) & 511];
            if ((entry & Present) == 0)
                return;
            table = (ulong*)(entry & AddressMask);
        }
        table[(gpa >> 12) & 511] = 0;
    }
}
