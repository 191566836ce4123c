using Micro.Guests.Runtime;

namespace Micro.BareMetal.GuestImages;

/// <summary>Reports FAILURE on purpose: the overall status the kernel gives QEMU must then be failure.</summary>
public static class FailingGuest
{
    public static GuestImage Build()
    {
        var g = new GuestBuilder("failing");
        g.Fail("deliberate, to check the overall status");
        return g.Build(appendSuccess: false);
    }
}
