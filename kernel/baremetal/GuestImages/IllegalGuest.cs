using Micro.Guests.Runtime;
using static Iced.Intel.AssemblerRegisters;

namespace Micro.BareMetal.GuestImages;

/// <summary>
/// A guest that misbehaves: an unknown hypercall (which must fail with -ENOSYS), then a write to
/// guest-physical memory it does not have (identity-mapped by its own page tables, but beyond its
/// RAM: a nested page fault). The hypervisor must crash it alone.
/// </summary>
public static class IllegalGuest
{
    public const ulong UnmappedAddress = 0x30000000;

    public static GuestImage Build()
    {
        var g = new GuestBuilder("illegal");
        g.A.mov(eax, 63); // no such hypercall
        g.A.call(GuestMap.HypercallPage + (63 * 32));
        g.ExpectRax(-Xen.ENOSYS, "unknown hypercall did not fail with -ENOSYS");
        g.Print("unknown hypercall refused; now touching memory I do not have\n");
        g.A.mov(rax, (long)UnmappedAddress);
        g.A.mov(__qword_ptr[rax], 1);
        g.Fail("still running after touching unmapped memory");
        return g.Build(appendSuccess: false);
    }
}
