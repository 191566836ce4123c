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

    public static GuestImage Build()
    {
        var g = new GuestBuilder("grant");
        var a = g.A;
        var grants = new GuestGrants(g);
        grants.MapTable();
        a.mov(__dword_ptr[(long)GuestMap.GrantPage], unchecked((int)Pattern));
        grants.Permit(Ref, Grantee, GuestMap.GrantPage);
        g.Print("granted\n");
        WaitFor(g, 1);
        grants.Revoke(Ref); // the grantee has unmapped, so no GTF_reading/writing is set
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
