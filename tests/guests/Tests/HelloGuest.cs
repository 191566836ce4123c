using Micro.Guests.Runtime;

namespace Micro.Guests.Tests;

/// <summary>Prints through console_io and powers off: the smallest complete guest.</summary>
public static class HelloGuest
{
    public static GuestImage Build()
    {
        var g = new GuestBuilder("hello");
        g.Print("Hello from a Micro test guest\n");
        return g.Build();
    }
}
