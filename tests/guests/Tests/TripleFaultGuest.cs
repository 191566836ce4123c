using Micro.Guests.Runtime;
using static Iced.Intel.AssemblerRegisters;

namespace Micro.Guests.Tests;

/// <summary>Loads an empty IDT and executes ud2: #UD, then #GP, #DF and a triple fault. The domain must end as crashed.</summary>
public static class TripleFaultGuest
{
    public static GuestImage Build()
    {
        var g = new GuestBuilder("triple-fault");
        g.Print("about to triple fault\n");
        g.A.mov(__qword_ptr[(long)GuestMap.Scratch], 0);
        g.A.mov(__qword_ptr[(long)GuestMap.Scratch + 8], 0);
        g.A.lidt(__[(long)GuestMap.Scratch]);
        g.A.ud2();
        g.Fail("still running after a triple fault");
        return g.Build(appendSuccess: false);
    }
}
