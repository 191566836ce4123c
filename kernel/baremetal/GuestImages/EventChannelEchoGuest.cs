using Micro.Guests.Runtime;
using static Iced.Intel.AssemblerRegisters;

namespace Micro.BareMetal.GuestImages;

/// <summary>
/// The event-channel pair's service on bare metal, where no service process runs: a guest that does
/// what the hosted echo service does. As d3 it allocates port 1 for d1 and port 2 for d2 (the pair
/// `evtchn-a`, `evtchn-b` binds to those), then answers every event on a port with an event on the
/// same port, and powers off once each peer has been answered (each sends exactly one).
/// </summary>
public static class EventChannelEchoGuest
{
    public const int FirstPeer = 1, Peers = 2;
    private const long PollArg = (long)GuestMap.Scratch + 0x300;   // clear of GuestEvents' argument area
    private const long PortList = (long)GuestMap.Scratch + 0x340;
    private const long PendingBits = (long)GuestMap.SharedInfo + 2048; // shared_info.evtchn_pending
    private const int Rounds = 1_000_000;

    public static GuestImage Build()
    {
        var g = new GuestBuilder("evtchn-echo");
        var e = new GuestEvents(g);
        var a = g.A;
        e.MapSharedInfo();
        for (int i = 0; i < Peers; i++)
        {
            e.AllocUnbound(FirstPeer + i, i + 1);
            a.mov(__dword_ptr[PortList + (i * 4)], i + 1);
        }

        // SCHEDOP_poll on all ports at once; r14: events answered; r15: rounds left (a bound, so a
        // silent peer cannot keep the run going).
        var again = a.CreateLabel();
        var done = a.CreateLabel();
        a.xor(r14d, r14d);
        a.mov(r15d, Rounds);
        a.Label(ref again);
        a.mov(rax, PortList);
        a.mov(__qword_ptr[PollArg], rax);
        a.mov(__dword_ptr[PollArg + 8], Peers);
        a.mov(__qword_ptr[PollArg + 16], 0);
        a.mov(edi, Xen.SCHEDOP_poll);
        a.mov(esi, (uint)PollArg);
        g.Hypercall(Xen.HYPERVISOR_sched_op);
        g.ExpectRax(0, "poll failed");
        for (int port = 1; port <= Peers; port++)
        {
            var quiet = a.CreateLabel();
            a.@lock.btr(__qword_ptr[PendingBits], (byte)port);
            a.jnc(quiet);
            e.Send(port);
            a.inc(r14d);
            a.Label(ref quiet);
        }
        a.cmp(r14d, Peers);
        a.jae(done);
        a.dec(r15d);
        a.jnz(again);
        g.Fail("a peer never sent its event");
        a.Label(ref done);
        g.Print("echo: answered both peers\n");
        return g.Build();
    }
}
