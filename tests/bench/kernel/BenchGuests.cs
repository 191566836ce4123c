using Micro.Guests.Runtime;
using static Iced.Intel.AssemblerRegisters;

namespace Micro.Bench.Kernel;

/// <summary>The guests the benchmarks run: tight loops of one kind of exit, then poweroff.</summary>
internal static class BenchGuests
{
    /// <summary>A port no device model claims: each write is one exit the core itself handles.</summary>
    public const byte UnclaimedPort = 0x80;
    private const long Arg = (long)GuestMap.Scratch;

    /// <summary><paramref name="count"/> byte writes to <see cref="UnclaimedPort"/>.</summary>
    public static GuestImage PortWrites(int count)
    {
        var g = new GuestBuilder("bench-port-io");
        var a = g.A;
        var loop = a.CreateLabel();
        a.mov(r12d, count);
        a.xor(eax, eax);
        a.Label(ref loop);
        a.@out(UnclaimedPort, al);
        a.dec(r12d);
        a.jnz(loop);
        g.Print("done\n");
        return g.Build();
    }

    /// <summary>
    /// Binds an interdomain channel to itself (alloc_unbound for DOMID_SELF, then bind_interdomain to that
    /// port) and sends on it <paramref name="count"/> times: each send is one event_channel_op round trip.
    /// </summary>
    public static GuestImage SendsToSelf(int count)
    {
        var g = new GuestBuilder("bench-evtchn-send");
        var a = g.A;
        a.mov(__word_ptr[Arg], Xen.DOMID_SELF);
        a.mov(__word_ptr[Arg + 2], Xen.DOMID_SELF);
        a.mov(__dword_ptr[Arg + 4], 0);
        a.mov(edi, Xen.EVTCHNOP_alloc_unbound);
        a.mov(esi, (uint)Arg);
        g.Hypercall(Xen.HYPERVISOR_event_channel_op);
        g.ExpectRax(0, "alloc_unbound failed");
        a.mov(eax, __dword_ptr[Arg + 4]);
        a.mov(__word_ptr[Arg + 16], Xen.DOMID_SELF);
        a.mov(__dword_ptr[Arg + 20], eax);
        a.mov(edi, Xen.EVTCHNOP_bind_interdomain);
        a.mov(esi, (uint)(Arg + 16));
        g.Hypercall(Xen.HYPERVISOR_event_channel_op);
        g.ExpectRax(0, "bind_interdomain failed");
        a.mov(eax, __dword_ptr[Arg + 24]);
        a.mov(__dword_ptr[Arg + 32], eax);

        var loop = a.CreateLabel();
        a.mov(r12d, count);
        a.Label(ref loop);
        a.mov(edi, Xen.EVTCHNOP_send);
        a.mov(esi, (uint)(Arg + 32));
        g.Hypercall(Xen.HYPERVISOR_event_channel_op);
        a.dec(r12d);
        a.jnz(loop);
        g.Print("done\n");
        return g.Build();
    }
}
