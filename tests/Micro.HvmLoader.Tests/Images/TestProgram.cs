using System.Text;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Micro.HvmLoader.Tests.Images;

/// <summary>
/// A small guest program in 32- or 64-bit code for the boot tests: checks written as compare-and-
/// branch to a failure message, output through the 16550 UART at 0x3f8 (polling the line status
/// register), and a clean end through Xen's SCHEDOP_shutdown via the hypercall page.
/// </summary>
internal sealed class TestProgram
{
    public const ulong HypercallPage = 0x5000, StackTop = 0x90000;
    public const int CodeLimit = 0x1000;
    private readonly List<byte> _data = [];
    private readonly ulong _address;
    private Label _print;

    public Assembler A { get; }
    public bool Is64 { get; }

    /// <summary>A program that runs at <paramref name="address"/>; its strings follow the code at +0x1000.</summary>
    public TestProgram(int bitness, ulong address)
    {
        _address = address;
        Is64 = bitness == 64;
        A = new Assembler(bitness);
        _print = A.CreateLabel();
    }

    /// <summary>Sets up the stack (keeping eax/ebx/rsi, which carry the boot protocol's registers).</summary>
    public void Prologue()
    {
        if (Is64)
            A.mov(rsp, (long)StackTop);
        else
            A.mov(esp, (uint)StackTop);
    }

    /// <summary>The absolute address of a NUL-terminated copy of <paramref name="text"/> (absolute: Iced's labels would be RIP-relative).</summary>
    public uint String(string text)
    {
        uint at = (uint)(_address + CodeLimit + (ulong)_data.Count);
        _data.AddRange([.. Encoding.ASCII.GetBytes(text), 0]);
        return at;
    }

    /// <summary>Prints a NUL-terminated string at a label (clobbers the counter and data registers).</summary>
    public void Print(string text)
    {
        var s = String(text);
        A.mov(ecx, s);
        A.call(_print);
    }

    /// <summary>Prints "Test result: FAILURE: reason" and shuts down if the flags say not-equal.</summary>
    public void FailUnlessEqual(string reason)
    {
        var ok = A.CreateLabel();
        A.je(ok);
        Print($"Test result: FAILURE: {reason}\n");
        Shutdown();
        A.Label(ref ok);
    }

    /// <summary>Prints "Test result: FAILURE: reason" and shuts down if the flags say equal.</summary>
    public void FailIfEqual(string reason)
    {
        var ok = A.CreateLabel();
        A.jne(ok);
        Print($"Test result: FAILURE: {reason}\n");
        Shutdown();
        A.Label(ref ok);
    }

    /// <summary>Prints the banner and the success line, then shuts down.</summary>
    public void Pass(string banner)
    {
        Print(banner);
        Print("Test result: SUCCESS\n");
        Shutdown();
    }

    /// <summary>Compares the NUL-terminated string at [ebx] (rbx) with <paramref name="expected"/>, then FailUnlessEqual.</summary>
    public void ExpectString(string expected, string reason)
    {
        var s = String(expected);
        var loop = A.CreateLabel();
        var done = A.CreateLabel();
        if (Is64)
        {
            A.mov(rsi, rbx);
            A.mov(edi, s);
        }
        else
        {
            A.mov(esi, ebx);
            A.mov(edi, s);
        }
        A.Label(ref loop);
        A.mov(al, Is64 ? __byte_ptr[rsi] : __byte_ptr[esi]);
        A.cmp(al, Is64 ? __byte_ptr[rdi] : __byte_ptr[edi]);
        A.jne(done);
        A.test(al, al);
        A.je(done);
        if (Is64) { A.inc(rsi); A.inc(rdi); } else { A.inc(esi); A.inc(edi); }
        A.jmp(loop);
        A.Label(ref done);
        FailUnlessEqual(reason);
    }

    /// <summary>Finds Xen's CPUID leaves, installs the hypercall page and calls SCHEDOP_shutdown(poweroff).</summary>
    public void Shutdown()
    {
        var scan = A.CreateLabel();
        var found = A.CreateLabel();
        var next = A.CreateLabel();
        A.mov(esi, 0x40000000);
        A.Label(ref scan);
        A.mov(eax, esi);
        A.cpuid();
        A.cmp(ebx, 0x566E6558); // "XenV"
        A.jne(next);
        A.cmp(ecx, 0x65584D4D); // "MMXe"
        A.je(found);
        A.Label(ref next);
        A.add(esi, 0x100);
        A.cmp(esi, 0x40010000);
        A.jb(scan);
        A.hlt();
        A.Label(ref found);
        A.lea(eax, __[esi + 2]);
        A.cpuid();
        A.mov(ecx, ebx);
        A.mov(eax, (uint)HypercallPage);
        A.xor(edx, edx);
        A.wrmsr();
        if (Is64)
        {
            A.push(0);
            A.mov(rsi, rsp);
            A.mov(edi, 2); // SCHEDOP_shutdown
            A.mov(rax, (long)(HypercallPage + 29 * 32));
            A.call(rax);
        }
        else
        {
            A.push(0);
            A.mov(esi, esp);
            A.mov(edi, 2);
            A.mov(eax, (uint)(HypercallPage + 29 * 32));
            A.call(eax);
        }
        A.hlt();
    }

    /// <summary>Assembles the body and the print routine, then the strings at +0x1000.</summary>
    public byte[] Assemble()
    {
        var wait = A.CreateLabel();
        var done = A.CreateLabel();
        A.Label(ref _print);
        var loop = _print;
        A.mov(al, Is64 ? __byte_ptr[rcx] : __byte_ptr[ecx]);
        A.test(al, al);
        A.je(done);
        A.Label(ref wait);
        A.mov(dx, 0x3FD);
        A.@in(al, dx);
        A.test(al, 0x20);
        A.je(wait);
        A.mov(al, Is64 ? __byte_ptr[rcx] : __byte_ptr[ecx]);
        A.mov(dx, 0x3F8);
        A.@out(dx, al);
        if (Is64) A.inc(rcx); else A.inc(ecx);
        A.jmp(loop);
        A.Label(ref done);
        A.ret();
        var writer = new BytesWriter();
        A.Assemble(writer, _address);
        if (writer.Bytes.Count > CodeLimit)
            throw new InvalidOperationException($"{writer.Bytes.Count} bytes of code exceed {CodeLimit}");
        writer.Bytes.AddRange(new byte[CodeLimit - writer.Bytes.Count]);
        return [.. writer.Bytes, .. _data];
    }

    private sealed class BytesWriter : CodeWriter
    {
        public List<byte> Bytes { get; } = [];
        public override void WriteByte(byte value) => Bytes.Add(value);
    }
}
