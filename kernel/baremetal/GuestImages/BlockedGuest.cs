using Micro.Guests.Runtime;
using static Iced.Intel.AssemblerRegisters;

namespace Micro.BareMetal.GuestImages;

/// <summary>
/// Blocks (SCHEDOP_block) with nothing that could ever wake it. The hypervisor must see that every
/// remaining guest waits, end the run, and report the overall status as failure: a guest never ended.
/// Woken anyway, it reports FAILURE itself.
/// </summary>
public static class BlockedGuest
{
    public static GuestImage Build()
    {
        var g = new GuestBuilder("blocked");
        var a = g.A;
        g.Print("blocking with nothing to wake me\n");
        var again = a.CreateLabel();
        a.mov(r15d, 10);
        a.Label(ref again);
        a.mov(edi, Xen.SCHEDOP_block);
        a.xor(esi, esi);
        g.Hypercall(Xen.HYPERVISOR_sched_op);
        a.dec(r15d);
        a.jnz(again);
        g.Fail("woken from SCHEDOP_block without an event");
        return g.Build(appendSuccess: false);
    }
}
