using System.Buffers.Binary;
using Micro.HvmLoader.Boot;
using Micro.HvmLoader.Tests.Images;
using Micro.HvmLoader.Tests.Readers;

namespace Micro.HvmLoader.Tests;

public sealed class LoaderTests
{
    private static readonly GuestConfig Small = new(4UL << 20, 1);
    private static readonly GuestConfig Medium = new(64UL << 20, 2);

    private static HvmBuild Build(GuestConfig config, BootSource source) => HvmLoader.Build(config, source, FirmwareFixture.Uuid);

    private static string Refused(GuestConfig config, BootSource source) =>
        Assert.Throws<InvalidImageException>(() => Build(config, source)).Message;

    [Fact]
    public void A_multiboot_kernel_is_loaded_with_its_information_and_the_protected_mode_entry()
    {
        var build = Build(Small, BootSource.Kernel(TestKernels.Multiboot(3, "console=ttyS0 x=1"), commandLine: "console=ttyS0 x=1"));
        Assert.Equal("multiboot", build.Protocol);
        var e = build.Entry;
        Assert.Equal(EntryMode.Protected32, e.Mode);
        Assert.Equal(0x10000CUL, e.Rip);
        Assert.Equal(0x2BADB002UL, e.Rax);
        var mem = new GuestBytes(build.Image);
        ulong info = e.Rbx;
        Assert.Equal(1u | 4 | 64 | 512, mem.U32(info));
        Assert.Equal(639u, mem.U32(info + 4));
        Assert.Equal((4u << 10) - 1024 - 8, mem.U32(info + 8)); // 1 MiB .. top minus the two special pages, in KiB
        Assert.Equal("console=ttyS0 x=1\0", mem.Ascii(mem.U32(info + 16), 18));
        uint mmapLength = mem.U32(info + 44), mmap = mem.U32(info + 48);
        Assert.Equal(build.Image.Map.Length * 24, (int)mmapLength);
        for (int i = 0; i < build.Image.Map.Length; i++)
        {
            ulong m = mmap + (ulong)i * 24;
            Assert.Equal(20u, mem.U32(m));
            Assert.Equal(build.Image.Map[i].Base, mem.U64(m + 4));
            Assert.Equal(build.Image.Map[i].Length, mem.U64(m + 12));
            Assert.Equal((uint)build.Image.Map[i].Type, mem.U32(m + 20));
        }
        Assert.StartsWith("Micro", mem.Ascii(mem.U32(info + 64), 5), StringComparison.Ordinal);
        Assert.Equal(0x1BADB002u, mem.U32(0x100000)); // the kernel itself
        // The GDT's code selector is a flat 32-bit code segment.
        Assert.Equal(0x00CF9B000000FFFFUL, mem.U64(e.GdtBase + e.CodeSelector));
        Assert.Contains(build.XenStoreKeys, k => k.Key == "hvmloader/boot-protocol" && k.Value == "multiboot");
        Assert.Contains(build.XenStoreKeysFor(5), k => k.Key == "/local/domain/5/hvmloader/acpi/rsdp" && k.Value == $"0x{build.Tables!.Rsdp:x}");
    }

    [Fact]
    public void An_elf64_multiboot_kernel_loads_like_an_elf32_one()
    {
        var build = Build(Small, BootSource.Kernel(TestKernels.Multiboot(3, "", elf64: true)));
        Assert.Equal(0x10000CUL, build.Entry.Rip);
    }

    public static TheoryData<string, Func<byte[], byte[]>> CorruptMultiboot => new()
    {
        { "neither a multiboot header", k => { var c = (byte[])k.Clone(); FindAndPatch(c, 0x1BADB002, 0); return c; } },
        { "bad checksum", k => { var c = (byte[])k.Clone(); int at = Find(c, 0x1BADB002); c[at + 8] ^= 1; return c; } },
        { "require features", k => { var c = (byte[])k.Clone(); int at = Find(c, 0x1BADB002); SetFlags(c, at, 3 | 0x100); return c; } },
        { "video mode", k => { var c = (byte[])k.Clone(); int at = Find(c, 0x1BADB002); SetFlags(c, at, 3 | 4); return c; } },
        { "ELF: class", k => { var c = (byte[])k.Clone(); c[4] = 9; return c; } },
        { "not little-endian", k => { var c = (byte[])k.Clone(); c[5] = 2; return c; } },
        { "e_machine", k => { var c = (byte[])k.Clone(); c[18] = 40; return c; } },
        { "e_type", k => { var c = (byte[])k.Clone(); c[16] = 1; return c; } },
        { "e_phentsize", k => { var c = (byte[])k.Clone(); c[42] = 31; return c; } },
        { "no program headers", k => { var c = (byte[])k.Clone(); c[44] = 0; return c; } },
        { "program headers at", k => { var c = (byte[])k.Clone(); BinaryPrimitives.WriteUInt32LittleEndian(c.AsSpan(28), 0xFFFFFF00); return c; } },
        { "runs past the file", k => { var c = (byte[])k.Clone(); BinaryPrimitives.WriteUInt32LittleEndian(c.AsSpan(52 + 16), 0x7FFFFFFF); return c; } },
        { "above p_memsz", k => { var c = (byte[])k.Clone(); BinaryPrimitives.WriteUInt32LittleEndian(c.AsSpan(52 + 20), 4); return c; } },
        { "not in the guest's RAM", k => { var c = (byte[])k.Clone(); BinaryPrimitives.WriteUInt32LittleEndian(c.AsSpan(52 + 12), 0xF0000); return c; } },
        { "not in the guest's RAM", k => { var c = (byte[])k.Clone(); BinaryPrimitives.WriteUInt32LittleEndian(c.AsSpan(52 + 20), 0x7FFFFFFF); return c; } },
        { "overlaps", k => { var c = (byte[])k.Clone(); BinaryPrimitives.WriteUInt32LittleEndian(c.AsSpan(52 + 12), 0x7000); return c; } },
        { "ends above", k => { var c = (byte[])k.Clone(); BinaryPrimitives.WriteUInt32LittleEndian(c.AsSpan(52 + 12), 0xFFFFF000); return c; } },
        { "entry", k => { var c = (byte[])k.Clone(); BinaryPrimitives.WriteUInt32LittleEndian(c.AsSpan(24), 0x500000); return c; } },
    };

    [Theory]
    [MemberData(nameof(CorruptMultiboot))]
    public void Malformed_multiboot_kernels_are_refused_precisely(string expected, Func<byte[], byte[]> corrupt)
    {
        var kernel = corrupt(TestKernels.Multiboot(3, ""));
        string message = Refused(Small, BootSource.Kernel(kernel));
        Assert.Contains(expected, message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_aout_kludge_addresses_are_validated()
    {
        byte[] kernel = new byte[0x2000];
        int at = 0x40;
        BinaryPrimitives.WriteUInt32LittleEndian(kernel.AsSpan(at), 0x1BADB002);
        SetFlags(kernel, at, 0x10003);
        void Set(uint header, uint load, uint end, uint bss, uint entry)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(kernel.AsSpan(at + 12), header);
            BinaryPrimitives.WriteUInt32LittleEndian(kernel.AsSpan(at + 16), load);
            BinaryPrimitives.WriteUInt32LittleEndian(kernel.AsSpan(at + 20), end);
            BinaryPrimitives.WriteUInt32LittleEndian(kernel.AsSpan(at + 24), bss);
            BinaryPrimitives.WriteUInt32LittleEndian(kernel.AsSpan(at + 28), entry);
        }
        Set(0x100040, 0x100000, 0x102000, 0x110000, 0x100060);
        var ok = Build(Small, BootSource.Kernel(kernel));
        Assert.Equal(0x100060UL, ok.Entry.Rip);
        Assert.True(ok.Image.TryRead(0x100000, 0x10000, out _));

        Set(0x100040, 0x100080, 0, 0, 0x100090);
        Assert.Contains("before offset 0", Refused(Small, BootSource.Kernel(kernel)), StringComparison.Ordinal);
        Set(0x100040, 0x100000, 0x104000, 0, 0x100060);
        Assert.Contains("runs past the file", Refused(Small, BootSource.Kernel(kernel)), StringComparison.Ordinal);
        Set(0x100040, 0x100000, 0x100000, 0, 0x100060);
        Assert.Contains("is not above load_addr", Refused(Small, BootSource.Kernel(kernel)), StringComparison.Ordinal);
        Set(0x100040, 0x100000, 0x102000, 0x101000, 0x100060);
        Assert.Contains("bss_end_addr", Refused(Small, BootSource.Kernel(kernel)), StringComparison.Ordinal);
        Set(0x100040, 0x100000, 0x102000, 0, 0x200000);
        Assert.Contains("entry_addr", Refused(Small, BootSource.Kernel(kernel)), StringComparison.Ordinal);
        Set(0x100040, 0x100000, 0x102000, 0x10000000, 0x100060);
        Assert.Contains("not in the guest's RAM", Refused(Small, BootSource.Kernel(kernel)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_bzimage_is_loaded_at_its_preferred_address_with_a_filled_zero_page()
    {
        byte[] initrd = [.. Enumerable.Range(0, 100_000).Select(i => (byte)i)];
        var build = Build(Medium, BootSource.Kernel(TestKernels.BzImage("root=/dev/ram0 quiet", (uint)initrd.Length), initrd, "root=/dev/ram0 quiet"));
        Assert.Equal("linux", build.Protocol);
        var e = build.Entry;
        Assert.Equal(EntryMode.Long64, e.Mode);
        Assert.Equal(0x1000200UL, e.Rip);
        var mem = new GuestBytes(build.Image);
        ulong zp = e.Rsi;
        Assert.Equal(0xFF, mem.U8(zp + 0x210));
        Assert.Equal(0x53726448u, mem.U32(zp + 0x202));
        Assert.Equal("root=/dev/ram0 quiet\0", mem.Ascii(mem.U32(zp + 0x228), 21));
        ulong initrdAt = mem.U32(zp + 0x218);
        Assert.Equal((uint)initrd.Length, mem.U32(zp + 0x21C));
        Assert.Equal(initrd, mem.Read(initrdAt, initrd.Length));
        Assert.Equal(0UL, initrdAt % 4096);
        Assert.True(build.Image.IsRam(initrdAt, (ulong)initrd.Length));
        Assert.True(initrdAt > (32UL << 20), $"initrd at {initrdAt:x} is not placed high");
        Assert.Equal(build.Tables!.Rsdp, mem.U64(zp + 0x70));
        int n = mem.U8(zp + 0x1E8);
        Assert.Equal(build.Image.Map.Length, n);
        for (int i = 0; i < n; i++)
            Assert.Equal(build.Image.Map[i].Base, mem.U64(zp + 0x2D0 + (ulong)i * 20));
        // 64-bit entry: CS 0x10 is a 64-bit code segment, the page tables map 4 GiB 1:1.
        Assert.Equal(0x10, e.CodeSelector);
        Assert.Equal(0x00AF9B000000FFFFUL, mem.U64(e.GdtBase + 0x10));
        ulong pdpt = mem.U64(e.Cr3) & ~0xFFFUL;
        ulong pd3 = mem.U64(pdpt + 24) & ~0xFFFUL;
        Assert.Equal(0xFFE00000UL | 0x83, mem.U64(pd3 + 511 * 8));
        Assert.Contains(build.XenStoreKeys, k => k.Key == "hvmloader/initrd/size" && k.Value == $"0x{initrd.Length:x}");
    }

    [Fact]
    public void A_relocatable_bzimage_whose_preferred_address_is_taken_moves_to_aligned_free_ram()
    {
        var build = Build(Medium, BootSource.Kernel(TestKernels.BzImage("", 0, prefAddress: 0x8000000)));
        Assert.Equal(0x200200UL, build.Entry.Rip);
    }

    public static TheoryData<string, Func<byte[], byte[]>> CorruptBzImages => new()
    {
        { "boot_flag", k => Patch16(k, 0x1FE, 0x1234) },
        { "boot protocol 2.11", k => Patch16(k, 0x206, 0x020B) },
        { "LOADED_HIGH", k => Patch8(k, 0x211, 0) },
        { "XLF_KERNEL_64", k => Patch16(k, 0x236, 0) },
        { "syssize", k => Patch32(k, 0x1F4, 0x100000) },
        { "syssize", k => Patch32(k, 0x1F4, 0) },
        { "kernel_alignment", k => Patch32(k, 0x230, 0x3000) },
        { "setup_sects", k => Patch8(k, 0x1F1, 200) },
        { "ends at", k => Patch8(k, 0x201, 0x10) },
        { "not relocatable", k => Patch8(Patch64(k, 0x258, 0x70000000), 0x234, 0) },
        { "no 200000-aligned free RAM", k => Patch32(k, 0x260, 0x7000000) },
        { "neither a bzImage", k => k[..0x200] },
    };

    [Theory]
    [MemberData(nameof(CorruptBzImages))]
    public void Malformed_bzimages_are_refused_precisely(string expected, Func<byte[], byte[]> corrupt)
    {
        var kernel = corrupt(TestKernels.BzImage("", 0));
        Assert.Contains(expected, Refused(Medium, BootSource.Kernel(kernel)), StringComparison.Ordinal);
    }

    [Fact]
    public void Command_lines_and_initrds_beyond_the_limits_are_refused()
    {
        var kernel = TestKernels.BzImage("", 0);
        Assert.Contains("exceed the kernel's limit of 2048", Refused(Medium, BootSource.Kernel(kernel, null, new string('a', 2048))), StringComparison.Ordinal);
        Assert.Contains("NUL", Refused(Medium, BootSource.Kernel(kernel, null, "a\0b")), StringComparison.Ordinal);
        Assert.Contains("initrd", Refused(Medium, BootSource.Kernel(kernel, new byte[60 << 20])), StringComparison.Ordinal);
        Assert.Contains("modules", Refused(Small, BootSource.Kernel(TestKernels.Multiboot(3, ""), new byte[10])), StringComparison.Ordinal);
    }

    [Fact]
    public void A_pvh_kernel_gets_hvm_start_info_and_the_protected_mode_entry()
    {
        byte[] initrd = [1, 2, 3, 4, 5];
        var build = Build(Small, BootSource.Kernel(TestKernels.Pvh("pvh cmdline"), initrd, "pvh cmdline"));
        Assert.Equal("pvh", build.Protocol);
        Assert.Equal(EntryMode.Protected32, build.Entry.Mode);
        Assert.Equal(0x100000UL, build.Entry.Rip);
        var mem = new GuestBytes(build.Image);
        ulong si = build.Entry.Rbx;
        Assert.Equal(0x336EC578u, mem.U32(si));
        Assert.Equal(1u, mem.U32(si + 4));
        Assert.Equal(1u, mem.U32(si + 12));
        ulong mod = mem.U64(si + 16);
        Assert.Equal(initrd, mem.Read(mem.U64(mod), (int)mem.U64(mod + 8)));
        Assert.Equal("pvh cmdline\0", mem.Ascii(mem.U64(si + 24), 12));
        Assert.Equal(build.Tables!.Rsdp, mem.U64(si + 32));
        Assert.Equal((uint)build.Image.Map.Length, mem.U32(si + 48));
        ulong map = mem.U64(si + 40);
        Assert.Equal(build.Image.Map[^1].Base, mem.U64(map + (ulong)(build.Image.Map.Length - 1) * 24));
        Assert.Equal(0x100000UL, Build(Small, BootSource.Kernel(TestKernels.Pvh("", noteSize: 8))).Entry.Rip);
    }

    [Fact]
    public void Malformed_pvh_kernels_are_refused_precisely()
    {
        Assert.Contains("3-byte descriptor", Refused(Small, BootSource.Kernel(TestKernels.Pvh("", noteSize: 3))), StringComparison.Ordinal);
        var noNote = new ElfBuilder(true).Load(0x100000, [0xF4]).Build(0x100000);
        Assert.Contains("nor a XEN_ELFNOTE_PHYS32_ENTRY note", Refused(Small, BootSource.Kernel(noNote)), StringComparison.Ordinal);
        var outside = new ElfBuilder(true).Load(0x100000, [0xF4]).Note("Xen", 18, BitConverter.GetBytes(0x300000u)).Build(0);
        Assert.Contains("not inside a loaded segment", Refused(Small, BootSource.Kernel(outside)), StringComparison.Ordinal);
        var pvh = TestKernels.Pvh("");
        // The note's descriptor size points past its segment.
        int note = Find(pvh, BinaryPrimitives.ReadUInt32LittleEndian("Xen\0"u8)) - 12;
        BinaryPrimitives.WriteUInt32LittleEndian(pvh.AsSpan(note + 4), 0x1000);
        Assert.Contains("runs past its segment", Refused(Small, BootSource.Kernel(pvh)), StringComparison.Ordinal);
        Assert.Contains("neither a bzImage", Refused(Small, BootSource.Kernel([1, 2, 3])), StringComparison.Ordinal);
    }

    [Fact]
    public void Elf_segments_that_wrap_and_short_setup_headers_are_refused()
    {
        var elf = new ElfBuilder(true).Load(0x100000, [0xF4]).Build(0x100000);
        BinaryPrimitives.WriteUInt64LittleEndian(elf.AsSpan(64 + 24), ulong.MaxValue); // p_paddr + p_memsz wraps
        Assert.Contains("wraps around", Assert.Throws<InvalidImageException>(() => Loaders.ElfImage.Parse(elf)).Message, StringComparison.Ordinal);
        var image = new GuestImage(Medium);
        Assert.Contains("shorter than the setup header", Assert.Throws<InvalidImageException>(() => Loaders.LinuxLoader.Load(image, new byte[0x200], [], "", 0)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bios_is_mapped_below_4_gib_and_at_the_legacy_alias_with_fw_cfg_items()
    {
        var bios = TestKernels.Bios();
        bios[0] = 0x42;
        var build = Build(Medium, BootSource.Bios(bios));
        Assert.Equal(EntryMode.Reset, build.Entry.Mode);
        var mem = new GuestBytes(build.Image);
        Assert.Equal(bios, mem.Read(0x100000000 - (ulong)bios.Length, bios.Length));
        Assert.Equal(bios, mem.Read(0xE0000, 0x20000));
        Assert.Null(build.Tables);
        var fw = build.FwCfg!;
        Assert.Equal("QEMU"u8.ToArray(), fw.Items[0]);
        Assert.Equal(64UL << 20, BitConverter.ToUInt64(fw.Items[3]));
        var dir = fw.Items[0x19];
        uint count = BinaryPrimitives.ReadUInt32BigEndian(dir);
        var names = Enumerable.Range(0, (int)count).Select(i => System.Text.Encoding.ASCII.GetString(dir, 4 + i * 64 + 8, 56).TrimEnd('\0')).ToList();
        Assert.Equal(["etc/e820", "etc/smbios/smbios-anchor", "etc/smbios/smbios-tables"], names);
        ushort e820Key = BinaryPrimitives.ReadUInt16BigEndian(dir.AsSpan(4 + 4));
        Assert.Equal(build.Image.Map.Length * 20, fw.Items[e820Key].Length);
        Assert.Contains(build.XenStoreKeys, k => k.Key == "hvmloader/bios" && k.Value == "seabios");

        Assert.Contains("64 KiB blocks", Refused(Medium, BootSource.Bios(new byte[1000])), StringComparison.Ordinal);
        Assert.Contains("reset vector", Refused(Medium, BootSource.Bios(new byte[65536])), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_truncation_and_seeded_corruption_of_each_image_is_refused_or_loaded_never_crashes()
    {
        var images = new (GuestConfig Config, byte[] Image)[]
        {
            (Small, TestKernels.Multiboot(3, "")), (Small, TestKernels.Multiboot(3, "", elf64: true)),
            (Medium, TestKernels.BzImage("", 0)), (Small, TestKernels.Pvh("")),
        };
        var random = new Random(7);
        int refused = 0, loaded = 0;
        foreach (var (config, image) in images)
        {
            for (int length = 0; length < image.Length; length += Math.Max(1, image.Length / 200))
                Try(config, image[..length]);
            for (int round = 0; round < 300; round++)
            {
                var c = (byte[])image.Clone();
                for (int flips = random.Next(1, 4); flips > 0; flips--)
                    c[random.Next(Math.Min(c.Length, 0x300))] = (byte)random.Next(256);
                Try(config, c);
            }
        }
        Assert.True(refused > 100 && loaded > 10, $"{refused} refused, {loaded} loaded");

        void Try(GuestConfig config, byte[] kernel)
        {
            try
            {
                Build(config, BootSource.Kernel(kernel));
                loaded++;
            }
            catch (InvalidImageException)
            {
                refused++;
            }
        }
    }

    private static int Find(byte[] b, uint value)
    {
        for (int i = 0; i + 4 <= b.Length; i += 4)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(i)) == value)
                return i;
        }
        throw new InvalidOperationException($"{value:x} not found");
    }

    private static void FindAndPatch(byte[] b, uint value, uint with) => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(Find(b, value)), with);

    private static void SetFlags(byte[] b, int at, uint flags)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(at + 4), flags);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(at + 8), unchecked(0u - 0x1BADB002u - flags));
    }

    private static byte[] Patch8(byte[] b, int at, byte v) { var c = (byte[])b.Clone(); c[at] = v; return c; }
    private static byte[] Patch16(byte[] b, int at, ushort v) { var c = (byte[])b.Clone(); BinaryPrimitives.WriteUInt16LittleEndian(c.AsSpan(at), v); return c; }
    private static byte[] Patch32(byte[] b, int at, uint v) { var c = (byte[])b.Clone(); BinaryPrimitives.WriteUInt32LittleEndian(c.AsSpan(at), v); return c; }
    private static byte[] Patch64(byte[] b, int at, ulong v) { var c = (byte[])b.Clone(); BinaryPrimitives.WriteUInt64LittleEndian(c.AsSpan(at), v); return c; }
}
