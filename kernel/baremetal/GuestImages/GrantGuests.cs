using Micro.Guests.Runtime;
using static Iced.Intel.AssemblerRegisters;

namespace Micro.BareMetal.GuestImages;

/// <summary>
/// A page shared through a grant between two guests, d1 (`grant-a`) and d2 (`grant-b`), which on bare
/// metal puts the mapper's nested page tables to work:
///   A grants its <see cref="GuestMap.GrantPage"/>, holding <see cref="Greeting"/>, to d2 as ref
///   <see cref="Ref"/>, waits for B's <see cref="Reply"/> in the same page, then for B's unmap (the
///   entry's reading/writing flags clear), and revokes the grant.
///   B maps the ref at <see cref="MapAddress"/> (outside its RAM), checks the greeting, writes the reply,
///   checks that a second map at 2^48 (beyond what nested paging reaches) is refused, unmaps, and
///   then touches the old address, which must be gone: the hypervisor crashes B for it.
/// </summary>
public static class GrantGuests
{
    public const int Granter = 1, Mapper = 2;
    public const int Ref = 8;                          // the first one not reserved (GNTTAB_NR_RESERVED_ENTRIES)
    public const ulong MapAddress = 0x20000000;
    private const long BeyondNestedPaging = 1L << 48;
    private const short GNTST_general_error = -1;
    public const long Greeting = 0x216465746E617267;    // "granted!"
    public const long Reply = 0x2164657070616D;         // "mapped!"
    private const int GNTTABOP_unmap_grant_ref = 1;
    private const int GNTMAP_host_map = 1 << 1;
    private const long Arg = (long)GuestMap.Scratch;
    private static readonly long Entry = GuestGrants.Entry(Ref);
    private const int Rounds = 1_000_000;

    public static GuestImage BuildGranter()
    {
        var g = new GuestBuilder("grant-a");
        var a = g.A;
        var grants = new GuestGrants(g);
        grants.MapTable();

        a.mov(rax, Greeting);
        a.mov(__qword_ptr[(long)GuestMap.GrantPage], rax);
        grants.Permit(Ref, Mapper, GuestMap.GrantPage);
        g.Print("granted my page to d2\n");

        a.mov(rbx, Reply);
        WaitUntil(g, () =>
        {
            a.cmp(__qword_ptr[(long)GuestMap.GrantPage + 8], rbx);
        }, "d2 never wrote its reply into the granted page");
        g.Print("d2 wrote into my page\n");
        WaitUntil(g, () => a.test(__word_ptr[Entry], GuestGrants.GTF_reading | GuestGrants.GTF_writing), "d2 never unmapped the grant");
        grants.Revoke(Ref);
        g.Print("d2 unmapped; grant revoked\n");
        return g.Build();
    }

    public static GuestImage BuildMapper()
    {
        var g = new GuestBuilder("grant-b");
        var a = g.A;
        // Map, retried (with yields) until A has written the entry.
        var retry = a.CreateLabel();
        var mapped = a.CreateLabel();
        a.mov(r15d, Rounds);
        a.Label(ref retry);
        a.mov(rax, (long)MapAddress);
        a.mov(__qword_ptr[Arg], rax);
        a.mov(__dword_ptr[Arg + 8], GNTMAP_host_map);
        a.mov(__dword_ptr[Arg + 12], Ref);
        a.mov(__word_ptr[Arg + 16], Granter);
        a.mov(__word_ptr[Arg + 18], 0);
        a.mov(__dword_ptr[Arg + 20], 0);
        a.mov(__qword_ptr[Arg + 24], 0);
        GrantTableOp(g, Xen.GNTTABOP_map_grant_ref);
        g.ExpectRax(0, "grant_table_op(map_grant_ref) failed");
        a.cmp(__word_ptr[Arg + 18], 0);
        a.je(mapped);
        Yield(g);
        a.dec(r15d);
        a.jnz(retry);
        g.Fail("map_grant_ref of d1's ref never succeeded");
        a.Label(ref mapped);
        a.mov(r14d, __dword_ptr[Arg + 20]); // the handle

        a.mov(rax, Greeting);
        a.mov(rbx, (long)MapAddress);
        var greeted = a.CreateLabel();
        a.cmp(__qword_ptr[rbx], rax);
        a.je(greeted);
        g.Fail("the mapped page does not hold d1's greeting");
        a.Label(ref greeted);
        a.mov(rax, Reply);
        a.mov(__qword_ptr[rbx + 8], rax);
        g.Print("mapped d1's page, read its greeting, wrote a reply\n");

        // The same ref again, at an address nested paging cannot reach: refused, and unpinned again.
        a.mov(rax, BeyondNestedPaging);
        a.mov(__qword_ptr[Arg], rax);
        a.mov(__dword_ptr[Arg + 8], GNTMAP_host_map);
        a.mov(__dword_ptr[Arg + 12], Ref);
        a.mov(__word_ptr[Arg + 16], Granter);
        a.mov(__word_ptr[Arg + 18], 0);
        GrantTableOp(g, Xen.GNTTABOP_map_grant_ref);
        g.ExpectRax(0, "grant_table_op(map_grant_ref) failed");
        var refused = a.CreateLabel();
        a.cmp(__word_ptr[Arg + 18], GNTST_general_error);
        a.je(refused);
        g.Fail("a map beyond the guest-physical address width was not refused");
        a.Label(ref refused);
        g.Print("a map at 2^48 was refused\n");

        a.mov(rax, (long)MapAddress);
        a.mov(__qword_ptr[Arg], rax);
        a.mov(__qword_ptr[Arg + 8], 0);
        a.mov(__dword_ptr[Arg + 16], r14d);
        a.mov(__dword_ptr[Arg + 20], 0);
        GrantTableOp(g, GNTTABOP_unmap_grant_ref);
        g.ExpectRax(0, "grant_table_op(unmap_grant_ref) failed");
        var unmapped = a.CreateLabel();
        a.cmp(__word_ptr[Arg + 20], 0);
        a.je(unmapped);
        g.Fail("unmap_grant_ref did not succeed");
        a.Label(ref unmapped);
        g.Print("unmapped; now touching the old address, which must be gone\n");
        a.mov(rbx, (long)MapAddress);
        a.mov(rax, __qword_ptr[rbx]);
        g.Fail("the unmapped grant is still readable");
        return g.Build(appendSuccess: false);
    }

    /// <summary>Yields (bounded) until <paramref name="test"/> sets ZF, else fails with <paramref name="reason"/>.</summary>
    private static void WaitUntil(GuestBuilder g, Action test, string reason)
    {
        var a = g.A;
        var again = a.CreateLabel();
        var done = a.CreateLabel();
        a.mov(r15d, Rounds);
        a.Label(ref again);
        test();
        a.je(done);
        Yield(g);
        a.dec(r15d);
        a.jnz(again);
        g.Fail(reason);
        a.Label(ref done);
    }

    private static void GrantTableOp(GuestBuilder g, int cmd)
    {
        g.A.mov(edi, cmd);
        g.A.mov(esi, (uint)Arg);
        g.A.mov(edx, 1);
        g.Hypercall(Xen.HYPERVISOR_grant_table_op);
    }

    private static void Yield(GuestBuilder g) => new GuestEvents(g).Yield();
}
