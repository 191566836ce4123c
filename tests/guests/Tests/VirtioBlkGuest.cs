using Micro.Guests.Runtime;
using static Iced.Intel.AssemblerRegisters;

namespace Micro.Guests.Tests;

/// <summary>
/// Finds the virtio-blk function at PCI 00:01.0 through configuration mechanism #1, brings it up
/// over the legacy virtio-pci I/O BAR, writes the <see cref="TotalBytes"/> it carries in its image
/// to the disk in <see cref="ChunkBytes"/> requests, then reads the disk back into
/// <see cref="ReadBack"/> and checks the first dword of every sector. Polls the used ring (no
/// interrupts); each request is one header, one data and one status descriptor. Dword i of the data
/// is <see cref="ExpectedDword"/>(i), so the host can check the image file and the read-back copy
/// whole. (The data ships in the image rather than being computed by the guest: on a host whose KVM
/// virtualizes in software every guest memory access is costly, and 16 MiB of them take minutes.)
/// Needs <see cref="RamBytes"/> of guest memory.
/// </summary>
public static class VirtioBlkGuest
{
    public const int TotalBytes = 16 << 20;
    public const int ChunkBytes = 1 << 20;
    public const ulong RamBytes = 40 << 20;
    public const ulong Queue = 0x80000, Desc = Queue, Avail = Queue + 0x800, Used = Queue + 0x1000;
    public const ulong Header = 0x82000, Status = 0x82100;
    public const ulong ReadBack = 0x1200000;
    private const uint Golden = 0x9E3779B1, Seed = 0x12345678;

    /// <summary>The dword at byte offset 4 * <paramref name="index"/> of the disk after the guest ran.</summary>
    public static uint ExpectedDword(uint index) => unchecked(index * Golden + Seed);

    public static byte[] Data()
    {
        var data = new byte[TotalBytes];
        for (int i = 0; i < TotalBytes / 4; i++)
            BitConverter.TryWriteBytes(data.AsSpan(i * 4), ExpectedDword((uint)i));
        return data;
    }

    public static GuestImage Build()
    {
        var g = new GuestBuilder("virtio-blk");
        var a = g.A;
        var fail = a.CreateLabel();
        var data = g.Data(Data());
        Setup(a, fail, ChunkBytes, deviceWrites: false);
        a.xor(r14d, r14d); // requests submitted = expected used index
        a.lea(r12, __[data]);
        Phase(a, fail, write: true);
        a.mov(r12, (long)ReadBack);
        Phase(a, fail, write: false);
        CheckSectors(a, fail);
        g.Print($"wrote and read back {TotalBytes >> 20} MiB through virtio-blk\n");
        var done = a.CreateLabel();
        a.jmp(done);
        a.Label(ref fail);
        g.Fail("virtio-blk transfer failed");
        a.Label(ref done);
        return g.Build();
    }

    /// <summary>
    /// <paramref name="count"/> reads of 4 KiB from random 4 KiB-aligned places of a disk of
    /// <paramref name="diskBytes"/> (a power of two), one at a time: the benchmark's IOPS guest.
    /// </summary>
    public static GuestImage RandomReads(int count, long diskBytes)
    {
        if (!System.Numerics.BitOperations.IsPow2(diskBytes) || diskBytes < 8192)
            throw new ArgumentOutOfRangeException(nameof(diskBytes), "the disk size must be a power of two of at least 8 KiB");
        var g = new GuestBuilder("virtio-blk-random-reads");
        var a = g.A;
        var fail = a.CreateLabel();
        var next = a.CreateLabel();
        Setup(a, fail, 4096, deviceWrites: true);
        a.mov(rdi, (long)Desc);
        a.mov(rax, (long)ReadBack);
        a.mov(__qword_ptr[rdi + 16], rax);
        a.mov(rdi, (long)Header);
        a.mov(__dword_ptr[rdi], 0); // IN
        a.mov(__dword_ptr[rdi + 4], 0);
        a.xor(r14d, r14d);
        a.mov(r13d, 12345); // LCG state
        a.mov(r12d, count);
        a.Label(ref next);
        a.imul(r13d, r13d, 1103515245);
        a.add(r13d, 12345);
        a.mov(eax, r13d);
        a.shr(eax, 8);
        a.and(eax, (int)(diskBytes / 4096 - 1));
        a.shl(rax, 3); // 4 KiB block to sector
        a.mov(__qword_ptr[(long)Header + 8], rax);
        Submit(a, fail);
        a.dec(r12d);
        a.jnz(next);
        g.Print($"read {count} random 4 KiB blocks through virtio-blk\n");
        var done = a.CreateLabel();
        a.jmp(done);
        a.Label(ref fail);
        g.Fail("virtio-blk random read failed");
        a.Label(ref done);
        return g.Build();
    }

    /// <summary>Finds the disk over PCI, brings it up, and lays out the three descriptors (data of <paramref name="dataBytes"/>).</summary>
    private static void Setup(Iced.Intel.Assembler a, Iced.Intel.Label fail, int dataBytes, bool deviceWrites)
    {
        LegacyVirtioDriver.FindIoBar(a, 1, 0x1001_1AF4, fail);
        LegacyVirtioDriver.Start(a, 0, Queue, fail);

        // Descriptors: 0 header (readable), 1 data (address per request), 2 status (writable).
        a.mov(rdi, (long)Desc);
        a.mov(rax, (long)Header);
        a.mov(__qword_ptr[rdi], rax);
        a.mov(__dword_ptr[rdi + 8], 16);
        a.mov(__dword_ptr[rdi + 12], 1 | (1 << 16)); // NEXT, next = 1
        a.mov(__dword_ptr[rdi + 24], dataBytes);
        a.mov(__dword_ptr[rdi + 28], deviceWrites ? 3 | (2 << 16) : 1 | (2 << 16)); // NEXT (+ WRITE), next = 2
        a.mov(rax, (long)Status);
        a.mov(__qword_ptr[rdi + 32], rax);
        a.mov(__dword_ptr[rdi + 40], 1);
        a.mov(__dword_ptr[rdi + 44], 2); // WRITE
    }

    /// <summary>One pass over the disk, chunk by chunk, from (or into) the buffer at r12.</summary>
    private static void Phase(Iced.Intel.Assembler a, Iced.Intel.Label fail, bool write)
    {
        var chunk = a.CreateLabel();
        a.xor(r13d, r13d); // chunk number
        a.Label(ref chunk);
        a.mov(rdi, (long)Header);
        a.mov(__dword_ptr[rdi], write ? 1 : 0); // OUT or IN
        a.mov(__dword_ptr[rdi + 4], 0);
        a.mov(eax, r13d);
        a.shl(rax, (byte)System.Numerics.BitOperations.Log2(ChunkBytes / 512)); // sectors per chunk
        a.mov(__qword_ptr[rdi + 8], rax);
        a.mov(eax, r13d);
        a.shl(rax, (byte)System.Numerics.BitOperations.Log2(ChunkBytes));
        a.add(rax, r12);
        a.mov(rdi, (long)Desc);
        a.mov(__qword_ptr[rdi + 16], rax);
        a.mov(__dword_ptr[rdi + 28], write ? 1 | (2 << 16) : 3 | (2 << 16)); // NEXT (+ WRITE for a read), next = 2
        Submit(a, fail);
        a.inc(r13d);
        a.cmp(r13d, TotalBytes / ChunkBytes);
        a.jb(chunk);
    }

    /// <summary>Offers the request of descriptor 0 and polls until it completes with status 0.</summary>
    private static void Submit(Iced.Intel.Assembler a, Iced.Intel.Label fail)
    {
        a.mov(__byte_ptr[(long)Status], 0xFF);
        LegacyVirtioDriver.SubmitAndWait(a, 0, Queue);
        a.cmp(__byte_ptr[(long)Status], 0);
        a.jne(fail);
    }

    /// <summary>Checks the first dword of every sector read back (the host checks every byte).</summary>
    private static void CheckSectors(Iced.Intel.Assembler a, Iced.Intel.Label fail)
    {
        var loop = a.CreateLabel();
        a.mov(rbx, (long)ReadBack);
        a.xor(edi, edi); // dword index
        a.mov(ecx, TotalBytes / 512);
        a.Label(ref loop);
        a.imul(eax, edi, unchecked((int)Golden));
        a.add(eax, unchecked((int)Seed));
        a.cmp(__dword_ptr[rbx], eax);
        a.jne(fail);
        a.add(rbx, 512);
        a.add(edi, 128);
        a.dec(ecx);
        a.jnz(loop);
    }
}
