using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Micro.Guests.Runtime;

/// <summary>
/// A test guest's own grant table (v1), through the Xen ABI only: the table mapped at
/// <see cref="GuestMap.GrantTable"/> by memory_op, entries written as Linux's gnttab writes them.
/// </summary>
public sealed class GuestGrants(GuestBuilder g)
{
    public const ushort GTF_permit_access = 1, GTF_reading = 1 << 3, GTF_writing = 1 << 4;

    private Assembler A => g.A;

    /// <summary>grant_entry_v1 of <paramref name="gref"/>: u16 flags, u16 domid, u32 frame.</summary>
    public static long Entry(int gref) => (long)GuestMap.GrantTable + gref * 8;

    /// <summary>XENMEM_add_to_physmap(XENMAPSPACE_grant_table, 0) at <see cref="GuestMap.GrantTable"/>.</summary>
    public void MapTable() => g.AddToPhysmap(Xen.XENMAPSPACE_grant_table, GuestMap.GrantTable, "grant_table");

    /// <summary>Grants <paramref name="domid"/> access to the page at <paramref name="address"/> as <paramref name="gref"/>.</summary>
    public void Permit(int gref, int domid, ulong address)
    {
        long entry = Entry(gref);
        A.mov(__dword_ptr[entry + 4], (int)(address >> 12));
        A.mov(__word_ptr[entry + 2], domid);
        A.sfence(); // domid and frame before the flags that make them valid, as Linux's gnttab does
        A.mov(__word_ptr[entry], GTF_permit_access);
    }

    /// <summary>Ends the grant; the caller has seen the grantee unmap (no GTF_reading/GTF_writing).</summary>
    public void Revoke(int gref) => A.mov(__word_ptr[Entry(gref)], 0);
}
