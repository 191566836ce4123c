using Micro.Guests.Runtime;
using static Iced.Intel.AssemblerRegisters;

namespace Micro.Bench.Devices;

/// <summary>The benchmark's own guests: tight loops of one kind of access, then poweroff.</summary>
internal static class BenchGuests
{
    /// <summary>A port no device model claims: each write is one exit the core itself handles.</summary>
    private const byte UnclaimedPort = 0x80;

    /// <summary><paramref name="count"/> byte writes to an unclaimed port: the raw exit rate.</summary>
    public static GuestImage UnclaimedWrites(int count)
    {
        var g = new GuestBuilder("bench-exits");
        var a = g.A;
        var loop = a.CreateLabel();
        a.mov(r12d, count);
        a.Label(ref loop);
        a.@out(UnclaimedPort, al);
        a.dec(r12d);
        a.jnz(loop);
        return g.Build();
    }

    /// <summary><paramref name="count"/> bytes to the UART at 0x3f8, polling LSR before each as a driver does (two accesses a byte).</summary>
    public static GuestImage UartWrites(int count)
    {
        var g = new GuestBuilder("bench-uart");
        var a = g.A;
        var wait = a.CreateLabel();
        a.mov(r12d, count);
        a.Label(ref wait);
        a.mov(dx, 0x3FD);
        a.@in(al, dx);
        a.test(al, 0x20);
        a.jz(wait);
        a.mov(al, (byte)'u');
        a.mov(dx, 0x3F8);
        a.@out(dx, al);
        a.dec(r12d);
        a.jnz(wait);
        return g.Build();
    }
}
