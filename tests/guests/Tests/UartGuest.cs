using System.Text;
using Micro.Guests.Runtime;
using static Iced.Intel.AssemblerRegisters;

namespace Micro.Guests.Tests;

/// <summary>
/// Sends <see cref="Pattern"/> byte by byte to a 16550 UART at 0x3f8, polling the line status
/// register before each byte as a real driver does. Served by a device model, not by the core.
/// </summary>
public static class UartGuest
{
    public static readonly byte[] Pattern = MakePattern();

    private static byte[] MakePattern()
    {
        var sb = new StringBuilder();
        for (int line = 0; line < 10; line++)
            sb.Append($"uart line {line:D2}: the quick brown fox jumps over the lazy dog\n");
        return Encoding.ASCII.GetBytes(sb.ToString());
    }

    public static GuestImage Build()
    {
        var g = new GuestBuilder("uart");
        var a = g.A;
        var wait = a.CreateLabel();
        a.lea(rbx, __[g.Data(Pattern)]);
        a.mov(r12d, Pattern.Length);
        a.Label(ref wait);
        a.mov(dx, 0x3FD);
        a.@in(al, dx);
        a.test(al, 0x20);
        a.jz(wait);
        a.mov(al, __byte_ptr[rbx]);
        a.mov(dx, 0x3F8);
        a.@out(dx, al);
        a.inc(rbx);
        a.dec(r12d);
        a.jnz(wait);
        g.Print($"sent {Pattern.Length} bytes to the UART\n");
        return g.Build();
    }
}
