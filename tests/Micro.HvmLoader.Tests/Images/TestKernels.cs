using System.Buffers.Binary;
using static Iced.Intel.AssemblerRegisters;

namespace Micro.HvmLoader.Tests.Images;

/// <summary>
/// Kernels in each boot format, built in the test: each checks what its boot protocol promises
/// (magic register, boot structure fields, command line), prints over the UART and shuts down.
/// </summary>
internal static class TestKernels
{
    public const ulong KernelBase = 0x100000;
    public const string Banner = "hello from a multiboot kernel\n";
    public const string Success = "Test result: SUCCESS";

    /// <summary>A multiboot ELF32 kernel at 1 MiB: header (flags: page-align, memory info), then code.</summary>
    public static byte[] Multiboot(uint expectedMemUpperKiB, string commandLine, uint flags = 3, bool elf64 = false)
    {
        var p = new TestProgram(32, KernelBase + 12);
        var a = p.A;
        p.Prologue();
        a.cmp(eax, 0x2BADB002);
        p.FailUnlessEqual("eax is not the multiboot magic");
        a.mov(ebp, ebx);
        a.mov(eax, __dword_ptr[ebp]);
        a.and(eax, (1 << 0) | (1 << 2) | (1 << 6));
        a.cmp(eax, (1 << 0) | (1 << 2) | (1 << 6));
        p.FailUnlessEqual("info flags lack mem, cmdline or mmap");
        a.cmp(__dword_ptr[ebp + 8], expectedMemUpperKiB);
        p.FailUnlessEqual("mem_upper is not the configured memory");
        a.cmp(__dword_ptr[ebp + 4], 639);
        p.FailUnlessEqual("mem_lower is not 639 KiB");
        a.mov(ebx, __dword_ptr[ebp + 16]);
        p.ExpectString(commandLine, "command line differs");
        a.mov(eax, __dword_ptr[ebp + 44]);
        a.test(eax, eax);
        p.FailIfEqual("empty memory map");
        p.Pass(Banner);

        byte[] code = p.Assemble();
        var header = new byte[12];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 0x1BADB002);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), flags);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), unchecked(0u - 0x1BADB002u - flags));
        return new ElfBuilder(elf64).Load(KernelBase, [.. header, .. code], 0x10000).Build(KernelBase + 12);
    }

    /// <summary>A PVH ELF kernel: checks hvm_start_info's magic, version, command line and memory map.</summary>
    public static byte[] Pvh(string commandLine, int noteSize = 4)
    {
        var p = new TestProgram(32, KernelBase);
        var a = p.A;
        p.Prologue();
        a.mov(ebp, ebx);
        a.cmp(__dword_ptr[ebp], 0x336EC578);
        p.FailUnlessEqual("ebx does not point at hvm_start_info");
        a.cmp(__dword_ptr[ebp + 4], 1);
        p.FailUnlessEqual("hvm_start_info version is not 1");
        a.mov(ebx, __dword_ptr[ebp + 24]);
        p.ExpectString(commandLine, "command line differs");
        a.cmp(__dword_ptr[ebp + 48], 0);
        p.FailIfEqual("empty memory map");
        p.Pass("hello from a PVH kernel\n");
        byte[] code = p.Assemble();
        byte[] desc = noteSize == 8 ? BitConverter.GetBytes(KernelBase) : noteSize == 4 ? BitConverter.GetBytes((uint)KernelBase) : new byte[noteSize];
        return new ElfBuilder(true).Load(KernelBase, code, 0x10000).Note("Xen", 18, desc).Build(0xFFFFFFFF81000000);
    }

    /// <summary>
    /// A bzImage (boot protocol 2.15, relocatable, 64-bit entry) whose 64-bit code checks the zero
    /// page: loader type, command line, E820 entries, initrd size.
    /// </summary>
    public static byte[] BzImage(string commandLine, uint initrdSize, ulong prefAddress = 0x1000000, ushort version = 0x020F)
    {
        var p = new TestProgram(64, prefAddress + 0x200);
        var a = p.A;
        p.Prologue();
        a.mov(rbp, rsi);
        a.cmp(__byte_ptr[rbp + 0x210], 0xFF);
        p.FailUnlessEqual("type_of_loader is not 0xff");
        a.mov(ebx, __dword_ptr[rbp + 0x228]);
        p.ExpectString(commandLine, "command line differs");
        a.cmp(__byte_ptr[rbp + 0x1E8], 3);
        a.setae(al);
        a.cmp(al, 1);
        p.FailUnlessEqual("fewer than 3 E820 entries");
        a.cmp(__dword_ptr[rbp + 0x21C], initrdSize);
        p.FailUnlessEqual("ramdisk_size differs");
        p.Pass("hello from a bzImage's 64-bit entry\n");
        // The code is position-dependent: it runs where the preferred address puts it.
        byte[] code64 = p.Assemble();
        byte[] payload = [.. Enumerable.Repeat((byte)0xF4, 0x200), .. code64];
        Array.Resize(ref payload, (payload.Length + 15) & ~15);

        const int setupSects = 4;
        var setup = new byte[(setupSects + 1) * 512];
        setup[0x1F1] = setupSects;
        BinaryPrimitives.WriteUInt32LittleEndian(setup.AsSpan(0x1F4), (uint)(payload.Length / 16));
        BinaryPrimitives.WriteUInt16LittleEndian(setup.AsSpan(0x1FE), 0xAA55);
        setup[0x200] = 0xEB;
        setup[0x201] = 0x66; // header ends at 0x268
        BinaryPrimitives.WriteUInt32LittleEndian(setup.AsSpan(0x202), 0x53726448);
        BinaryPrimitives.WriteUInt16LittleEndian(setup.AsSpan(0x206), version);
        setup[0x211] = 1; // LOADED_HIGH
        BinaryPrimitives.WriteUInt32LittleEndian(setup.AsSpan(0x22C), 0x7FFFFFFF);
        BinaryPrimitives.WriteUInt32LittleEndian(setup.AsSpan(0x230), 0x200000);
        setup[0x234] = 1; // relocatable
        BinaryPrimitives.WriteUInt16LittleEndian(setup.AsSpan(0x236), 1 | 2); // XLF_KERNEL_64, can be above 4G
        BinaryPrimitives.WriteUInt32LittleEndian(setup.AsSpan(0x238), 2047);
        BinaryPrimitives.WriteUInt64LittleEndian(setup.AsSpan(0x258), prefAddress);
        BinaryPrimitives.WriteUInt32LittleEndian(setup.AsSpan(0x260), (uint)payload.Length + 0x10000);
        return [.. setup, .. payload];
    }

    /// <summary>A BIOS image of <paramref name="size"/> bytes whose reset vector is a far jump.</summary>
    public static byte[] Bios(int size = 128 * 1024)
    {
        var b = new byte[size];
        b[^16] = 0xEA;
        return b;
    }
}
