using Micro.Guests.Runtime;
using static Iced.Intel.AssemblerRegisters;

namespace Micro.Guests.Tests;

/// <summary>
/// Grants <see cref="GuestMap.GrantPage"/> (holding <see cref="Pattern"/>) to domain <see cref="Grantee"/>
/// as ref <see cref="Ref"/> in its own grant table, prints "granted", waits for the test to say the
/// grantee is done (<see cref="Signal"/> = 1), revokes the entry, prints "revoked", and waits for 2.
/// </summary>
public static class GrantGuest
{
    public const int Grantee = 2, Ref = 8;
    public const uint Pattern = 0x600DF00D;
    /// <summary>Where the test (standing in for the grantee's side channel) writes its progress.</summary>
    public const ulong Signal = GuestMap.Scratch + 0x800;
    private const long Arg = (long)GuestMap.Scratch;
    private const int GTF_permit_access = 1;

    public static GuestImage Build()
    {
        var g = new GuestBuilder("grant");
        var a = g.A;
        a.mov(__word_ptr[Arg], Xen.DOMID_SELF);
        a.mov(__word_ptr[Arg + 2], 0);
        a.mov(__dword_ptr[Arg + 4], Xen.XENMAPSPACE_grant_table);
        a.mov(__qword_ptr[Arg + 8], 0);
        a.mov(__qword_ptr[Arg + 16], (int)(GuestMap.GrantTable >> 12));
        a.mov(edi, Xen.XENMEM_add_to_physmap);
        a.mov(esi, (uint)Arg);
        g.Hypercall(Xen.HYPERVISOR_memory_op);
        g.ExpectRax(0, "add_to_physmap(grant_table 0) failed");

        a.mov(__dword_ptr[(long)GuestMap.GrantPage], unchecked((int)Pattern));
        long entry = (long)GuestMap.GrantTable + Ref * 8; // grant_entry_v1: flags, domid, frame
        a.mov(__dword_ptr[entry + 4], (int)(GuestMap.GrantPage >> 12));
        a.mov(__word_ptr[entry + 2], Grantee);
        a.sfence(); // domid and frame before the flags that make them valid, as Linux's gnttab does
        a.mov(__word_ptr[entry], GTF_permit_access);
        g.Print("granted\n");
        WaitFor(g, 1);
        a.mov(__word_ptr[entry], 0); // revoke: the grantee has unmapped, so no GTF_reading/writing is set
        g.Print("revoked\n");
        WaitFor(g, 2);
        return g.Build();
    }

    private static void WaitFor(GuestBuilder g, int value)
    {
        var a = g.A;
        var again = a.CreateLabel();
        var done = a.CreateLabel();
        a.mov(r15d, 1_000_000);
        a.Label(ref again);
        a.cmp(__dword_ptr[(long)Signal], value);
        a.je(done);
        a.mov(edi, Xen.SCHEDOP_yield);
        a.xor(esi, esi);
        g.Hypercall(Xen.HYPERVISOR_sched_op);
        a.dec(r15d);
        a.jnz(again);
        g.Fail($"the test never signalled {value}");
        a.Label(ref done);
    }
}
