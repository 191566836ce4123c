using Micro.Guests.Runtime;
using static Iced.Intel.AssemblerRegisters;

namespace Micro.BareMetal.GuestImages;

/// <summary>
/// The exit benchmark's guest: times <see cref="Iterations"/> hypercalls (xen_version through the
/// hypercall page: one VMMCALL exit each) and as many `out 0x80, al` (one IOIO exit each) with RDTSC,
/// and leaves the three timestamps and the count at <see cref="Results"/> for the hypervisor to read.
/// </summary>
public static class BenchGuest
{
    public const int Iterations = 2000;
    public const ulong Results = GuestMap.Scratch + 0x800;
    private const int XenVersion = 17;

    public static GuestImage Build()
    {
        var g = new GuestBuilder("bench");
        var a = g.A;
        a.mov(__qword_ptr[(long)Results + 24], Iterations);
        Stamp(g, 0);
        a.mov(ecx, Iterations);
        var hypercalls = a.CreateLabel();
        a.Label(ref hypercalls);
        a.push(rcx);
        a.xor(edi, edi); // XENVER_version
        a.xor(esi, esi);
        g.Hypercall(XenVersion);
        a.pop(rcx);
        a.dec(ecx);
        a.jnz(hypercalls);
        Stamp(g, 8);
        a.mov(ecx, Iterations);
        a.xor(eax, eax);
        var ports = a.CreateLabel();
        a.Label(ref ports);
        a.@out(0x80, al);
        a.dec(ecx);
        a.jnz(ports);
        Stamp(g, 16);
        return g.Build();
    }

    private static void Stamp(GuestBuilder g, int offset)
    {
        g.A.rdtsc();
        g.A.shl(rdx, 32);
        g.A.or(rax, rdx);
        g.A.mov(__qword_ptr[(long)Results + offset], rax);
    }
}
