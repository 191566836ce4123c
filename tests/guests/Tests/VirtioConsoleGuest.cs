using System.Text;
using Micro.Guests.Runtime;
using static Iced.Intel.AssemblerRegisters;

namespace Micro.Guests.Tests;

/// <summary>
/// Finds the virtio-console function at PCI 00:01.0, brings up its transmit queue (queue 1) and sends
/// <see cref="Text"/> in one buffer, polling the used ring. Served by device models, not by the core.
/// </summary>
public static class VirtioConsoleGuest
{
    public static readonly byte[] Text = Encoding.ASCII.GetBytes("hello from the guest through virtio-console\n");
    private const ulong Queue = 0x80000;

    public static GuestImage Build()
    {
        var g = new GuestBuilder("virtio-console");
        var a = g.A;
        var fail = a.CreateLabel();
        var text = g.Data(Text);
        LegacyVirtioDriver.FindIoBar(a, 1, 0x1003_1AF4, fail);
        LegacyVirtioDriver.Start(a, 1, Queue, fail);
        a.mov(rdi, (long)Queue);
        a.lea(rax, __[text]);
        a.mov(__qword_ptr[rdi], rax);
        a.mov(__dword_ptr[rdi + 8], Text.Length);
        a.mov(__dword_ptr[rdi + 12], 0); // device-readable, no next
        a.xor(r14d, r14d);
        LegacyVirtioDriver.SubmitAndWait(a, 1, Queue);
        g.Print("sent a line through virtio-console\n");
        var done = a.CreateLabel();
        a.jmp(done);
        a.Label(ref fail);
        g.Fail("virtio-console not found or not working");
        a.Label(ref done);
        return g.Build();
    }
}
