using System.Text;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Micro.Guests.Runtime;

/// <summary>
/// Assembles one test guest, in the manner of Xen's XTF: a small runtime (find Xen's CPUID leaves,
/// install the hypercall page through the MSR they name, print via console_io, shut down via
/// sched_op) around the test's own code. Nothing here depends on the substrate: the hypercall page
/// contents, written by the hypervisor, are the only difference between hosted and bare metal.
/// </summary>
public sealed class GuestBuilder
{
    private readonly string _name;
    private readonly List<(Label Label, byte[] Bytes)> _data = [];

    /// <summary>The assembler for the test body; the runtime has already run when the body starts.</summary>
    public Assembler A { get; } = new(64);

    public GuestBuilder(string name)
    {
        _name = name;
        A.mov(rsp, (long)GuestMap.StackTop);
        EmitXenDetection();
    }

    /// <summary>Scans 0x40000000..0x4000ff00 for "XenVMMXenVMM" and writes the hypercall MSR it names, as Xen HVM guests do.</summary>
    private void EmitXenDetection()
    {
        var scan = A.CreateLabel();
        var next = A.CreateLabel();
        var found = A.CreateLabel();
        A.mov(esi, 0x40000000);
        A.Label(ref scan);
        A.mov(eax, esi);
        A.cpuid();
        A.cmp(ebx, 0x566E6558);
        A.jne(next);
        A.cmp(ecx, 0x65584D4D);
        A.jne(next);
        A.cmp(edx, 0x4D4D566E);
        A.je(found);
        A.Label(ref next);
        A.add(esi, 0x100);
        A.cmp(esi, 0x40010000);
        A.jb(scan);
        A.ud2(); // no Xen: nothing to print with, so crash
        A.Label(ref found);
        A.lea(eax, __[esi + 2]);
        A.cpuid();
        A.mov(ecx, ebx);
        A.mov(eax, (uint)GuestMap.HypercallPage);
        A.xor(edx, edx);
        A.wrmsr();
    }

    /// <summary>Calls hypercall <paramref name="nr"/>; arguments already in rdi, rsi, rdx, r10, r8; result in rax.</summary>
    public void Hypercall(int nr) => A.call(GuestMap.HypercallPage + (ulong)nr * 32);

    /// <summary>
    /// XENMEM_add_to_physmap(DOMID_SELF, <paramref name="space"/>, idx 0) at guest address
    /// <paramref name="address"/> (its argument struct in the scratch page); fails the test unless it returns 0.
    /// </summary>
    public void AddToPhysmap(int space, ulong address, string what)
    {
        const long arg = (long)GuestMap.Scratch;
        A.mov(__word_ptr[arg], Xen.DOMID_SELF);
        A.mov(__word_ptr[arg + 2], 0);
        A.mov(__dword_ptr[arg + 4], space);
        A.mov(__qword_ptr[arg + 8], 0);
        A.mov(__qword_ptr[arg + 16], (int)(address >> 12));
        A.mov(edi, Xen.XENMEM_add_to_physmap);
        A.mov(esi, (uint)arg);
        Hypercall(Xen.HYPERVISOR_memory_op);
        ExpectRax(0, $"add_to_physmap({what}) failed");
    }

    /// <summary>A label for constant bytes placed after the code.</summary>
    public Label Data(byte[] bytes)
    {
        var l = A.CreateLabel();
        _data.Add((l, bytes));
        return l;
    }

    public void Print(string text)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(text);
        A.lea(rdx, __[Data(bytes)]);
        A.mov(esi, bytes.Length);
        A.mov(edi, Xen.CONSOLEIO_write);
        Hypercall(Xen.HYPERVISOR_console_io);
    }

    public void Shutdown(int reason)
    {
        A.mov(__dword_ptr[(long)GuestMap.Scratch + 0xF00], reason);
        A.mov(edi, Xen.SCHEDOP_shutdown);
        A.mov(esi, (uint)GuestMap.Scratch + 0xF00);
        Hypercall(Xen.HYPERVISOR_sched_op);
        var hang = A.CreateLabel();
        A.Label(ref hang);
        A.hlt();
        A.jmp(hang);
    }

    public void Fail(string reason)
    {
        Print($"Test result: FAILURE: {reason}\n");
        Shutdown(Xen.SHUTDOWN_poweroff);
    }

    /// <summary>Fails the test with <paramref name="reason"/> unless rax equals <paramref name="expected"/>.</summary>
    public void ExpectRax(int expected, string reason)
    {
        var ok = A.CreateLabel();
        A.cmp(rax, expected);
        A.je(ok);
        Fail(reason);
        A.Label(ref ok);
    }

    /// <summary>Fails the test with <paramref name="reason"/> unless the dword at <paramref name="address"/> equals <paramref name="expected"/>.</summary>
    public void ExpectMem32(long address, int expected, string reason)
    {
        var ok = A.CreateLabel();
        A.cmp(__dword_ptr[address], expected);
        A.je(ok);
        Fail(reason);
        A.Label(ref ok);
    }

    public void Success()
    {
        Print("Test result: SUCCESS\n");
        Shutdown(Xen.SHUTDOWN_poweroff);
    }

    /// <summary>Ends the body with SUCCESS and assembles the image.</summary>
    public GuestImage Build(bool appendSuccess = true)
    {
        if (appendSuccess)
            Success();
        foreach (var (label, bytes) in _data)
        {
            var l = label;
            A.Label(ref l);
            A.db(bytes);
        }
        using var code = new MemoryStream();
        A.Assemble(new StreamCodeWriter(code), GuestMap.Code);
        byte[] image = new byte[GuestMap.ReservedBytes + code.Length];
        code.ToArray().CopyTo(image, GuestMap.ReservedBytes);
        return new GuestImage(_name, image, GuestMap.LoadAddress, GuestMap.Code);
    }
}
