using Micro.Guests.Runtime;

namespace Micro.Guests.Tests;

/// <summary>
/// Two guests and a service exchanging event-channel notifications in every direction. Domain ids
/// and ports are the ones a fresh core hands out: guest A is d1, guest B d2, the service d3 (which
/// allocates port 1 for A and port 2 for B and echoes every event back on the same port).
///   A: port 1 = unbound for B, port 2 = bound to the service; waits with SCHEDOP_poll.
///   B: port 1 = bound to A port 1, port 2 = bound to the service; takes upcalls on a callback vector,
///      and checks that a masked port stays pending without an upcall until EVTCHNOP_unmask re-raises it.
/// </summary>
public static class EventChannelGuests
{
    public const int A = 1, B = 2, Service = 3;
    public const byte Vector = 0xF3;

    public static GuestImage BuildA()
    {
        var g = new GuestBuilder("evtchn-a");
        var e = new GuestEvents(g);
        e.MapSharedInfo();
        e.AllocUnbound(B, 1);
        e.BindInterdomain(Service, 1, 2);
        e.Send(2);
        e.Poll(2);
        e.ExpectAndClearPending(2, "no echo from the service");
        g.Print("A: service echoed\n");
        e.Poll(1);
        e.ExpectAndClearPending(1, "no 'masked' notice from B");
        e.Send(1);
        e.Poll(1);
        e.ExpectAndClearPending(1, "no 'done' from B");
        g.Print("A: B is done\n");
        return g.Build();
    }

    public static GuestImage BuildB()
    {
        var g = new GuestBuilder("evtchn-b");
        var e = new GuestEvents(g);
        e.MapSharedInfo();
        e.UseCallbackVector(Vector);
        e.BindInterdomain(A, 1, 1);
        e.BindInterdomain(Service, 2, 2);
        e.Send(2);
        e.WaitForUpcall();
        e.ExpectAndClearPending(2, "upcall without the service's echo pending");
        g.Print("B: upcall from the service\n");
        e.Mask(1);
        e.Send(1);
        e.WaitPending(1, "A's event on the masked port never became pending");
        e.ExpectNoUpcall("an upcall arrived for a masked port");
        g.Print("B: masked port pending, no upcall\n");
        e.Unmask(1);
        e.WaitForUpcall();
        e.ExpectAndClearPending(1, "unmask re-raised an upcall but the port is not pending");
        g.Print("B: unmask re-raised the upcall\n");
        e.Send(1);
        return g.Build();
    }
}
