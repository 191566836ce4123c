using Micro.Guests.Runtime;
using static Iced.Intel.AssemblerRegisters;

namespace Micro.Guests.Tests;

/// <summary>
/// Self-tests the i8042 keyboard controller (0xAA on port 0x64 answers 0x55 on port 0x60), then
/// pulses its reset line (0xFE), as a PC guest reboots. The domain must end with reboot; the guest
/// fails if it is still running afterwards. Served by a device model, not by the core.
/// </summary>
public static class KeyboardResetGuest
{
    public static GuestImage Build()
    {
        var g = new GuestBuilder("kbd-reset");
        var a = g.A;
        var full = a.CreateLabel();
        a.mov(al, 0xAA);
        a.@out(0x64, al);
        a.mov(ecx, 100000);
        a.Label(ref full);
        a.@in(al, 0x64);
        a.test(al, 1);
        a.loopz(full);
        a.@in(al, 0x60);
        a.movzx(eax, al);
        g.ExpectRax(0x55, "i8042 self-test did not answer 0x55");
        g.Print("i8042 self-test passed; pulsing the reset line\n");
        a.mov(al, 0xFE);
        a.@out(0x64, al);
        g.Fail("still running after the reset line was pulsed");
        return g.Build(appendSuccess: false);
    }
}
