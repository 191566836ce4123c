using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Micro.Guests.Tests;

/// <summary>
/// The pieces of a polling legacy virtio-pci driver the virtio guests share: find a function on PCI
/// bus 0 through configuration mechanism #1 and take its I/O BAR (into r15), bring the device up with
/// one queue, and poll a used index. Queues use the legacy layout (used ring on the next 4 KiB page).
/// </summary>
internal static class LegacyVirtioDriver
{
    public const int QueueSize = 128;

    /// <summary>eax = config dword <paramref name="register"/> of 00:<paramref name="slot"/>.0.</summary>
    public static void ConfigRead(Assembler a, int slot, int register)
    {
        a.mov(eax, 0x8000_0000u | (uint)(slot << 11) | (uint)register);
        a.mov(dx, 0xCF8);
        a.@out(dx, eax);
        a.mov(dx, 0xCFC);
        a.@in(eax, dx);
    }

    /// <summary>Checks 00:slot.0 is <paramref name="vendorDevice"/> with an I/O BAR 0, puts its base in r15 and enables I/O decoding.</summary>
    public static void FindIoBar(Assembler a, int slot, uint vendorDevice, Label fail)
    {
        ConfigRead(a, slot, 0x00);
        a.cmp(eax, unchecked((int)vendorDevice));
        a.jne(fail);
        ConfigRead(a, slot, 0x10);
        a.test(al, 1);
        a.jz(fail);
        a.and(eax, 0xFFFC);
        a.mov(r15d, eax);
        a.mov(eax, 0x8000_0004u | (uint)(slot << 11));
        a.mov(dx, 0xCF8);
        a.@out(dx, eax);
        a.mov(ax, 0x0005); // I/O decoding and bus mastering
        a.mov(dx, 0xCFC);
        a.@out(dx, ax);
    }

    /// <summary>Resets the device, negotiates no features, puts queue <paramref name="queue"/> at <paramref name="ring"/> and sets DRIVER_OK.</summary>
    public static void Start(Assembler a, int queue, ulong ring, Label fail)
    {
        OutByte(a, 0x12, 0);
        OutByte(a, 0x12, 3);
        a.lea(edx, __[r15 + 0x04]);
        a.xor(eax, eax);
        a.@out(dx, eax);
        a.lea(edx, __[r15 + 0x0E]);
        a.mov(eax, queue);
        a.@out(dx, ax);
        a.lea(edx, __[r15 + 0x0C]);
        a.@in(ax, dx);
        a.cmp(ax, QueueSize);
        a.jne(fail);
        a.lea(edx, __[r15 + 0x08]);
        a.mov(eax, (uint)(ring >> 12));
        a.@out(dx, eax);
        OutByte(a, 0x12, 7);
    }

    /// <summary>
    /// Offers descriptor 0 on the queue at <paramref name="ring"/>, rings queue <paramref name="queue"/>'s
    /// doorbell and polls until the used index reaches r14 (incremented here: requests so far).
    /// </summary>
    public static void SubmitAndWait(Assembler a, int queue, ulong ring)
    {
        ulong avail = ring + 16 * QueueSize, used = (avail + 6 + 2 * QueueSize + 4095) & ~4095UL;
        var wait = a.CreateLabel();
        a.mov(rdi, (long)avail);
        a.movzx(eax, __word_ptr[rdi + 2]);
        a.mov(ecx, eax);
        a.and(ecx, QueueSize - 1);
        a.mov(__word_ptr[rdi + rcx * 2 + 4], 0);
        a.inc(eax);
        a.mov(__word_ptr[rdi + 2], ax);
        a.inc(r14d);
        a.lea(edx, __[r15 + 0x10]);
        a.mov(eax, queue);
        a.@out(dx, ax);
        a.Label(ref wait);
        a.pause();
        a.movzx(eax, __word_ptr[(long)used + 2]);
        a.cmp(ax, r14w);
        a.jne(wait);
    }

    private static void OutByte(Assembler a, int register, byte value)
    {
        a.lea(edx, __[r15 + register]);
        a.mov(al, value);
        a.@out(dx, al);
    }
}
