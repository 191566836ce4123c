using System.Buffers.Binary;
using Micro.HvmLoader.Boot;

namespace Micro.HvmLoader.Loaders;

/// <summary>
/// Loads an ELF kernel through Xen's PVH entry (xen/include/public/arch-x86/hvm/start_info.h): the
/// entry point is the XEN_ELFNOTE_PHYS32_ENTRY note; segments go to their physical addresses; the
/// hvm_start_info (version 1: command line, modules, RSDP, memory map) is at ebx; the vCPU starts in
/// 32-bit protected mode with paging off.
/// </summary>
public static class PvhLoader
{
    public const uint StartInfoMagic = 0x336EC578;
    public const uint XenElfNotePhys32Entry = 18;
    public const int StartInfoSize = 56, ModuleSize = 32, MemmapEntrySize = 24, ModuleListOffset = 0x100;

    /// <summary>The PHYS32 entry of an ELF kernel, or null if it has no such Xen note.</summary>
    public static ulong? FindEntry(ElfImage elf, ReadOnlySpan<byte> file)
    {
        foreach (var note in elf.Notes(file))
        {
            if (note.Name != "Xen" || note.Type != XenElfNotePhys32Entry)
                continue;
            return note.Descriptor.Length switch
            {
                4 => BinaryPrimitives.ReadUInt32LittleEndian(note.Descriptor),
                8 => BinaryPrimitives.ReadUInt64LittleEndian(note.Descriptor),
                _ => throw new InvalidImageException($"PVH: XEN_ELFNOTE_PHYS32_ENTRY has a {note.Descriptor.Length}-byte descriptor, not 4 or 8"),
            };
        }
        return null;
    }

    public static VcpuEntry Load(GuestImage image, ReadOnlySpan<byte> kernel, ReadOnlySpan<byte> initrd, string commandLine, ulong rsdp)
    {
        var elf = ElfImage.Parse(kernel);
        ulong entry = FindEntry(elf, kernel) ?? throw new InvalidImageException("PVH: no XEN_ELFNOTE_PHYS32_ENTRY note");
        elf.LoadSegments(image, kernel, "PVH kernel", HvmLayout.FourGiB);
        if (entry >= HvmLayout.FourGiB || !elf.Segments.Any(s => s.Type == ElfSegment.Load && entry >= s.PhysicalAddress && entry - s.PhysicalAddress < s.MemorySize))
            throw new InvalidImageException($"PVH: entry {entry:x} is not inside a loaded segment below 4 GiB");

        ulong cmdline = CommandLine.Write(image, commandLine);
        var info = image.Allocate(HvmLayout.BootInfo, HvmLayout.PageSize, "hvm_start_info");
        BinaryPrimitives.WriteUInt32LittleEndian(info, StartInfoMagic);
        BinaryPrimitives.WriteUInt32LittleEndian(info[4..], 1);
        BinaryPrimitives.WriteUInt64LittleEndian(info[24..], cmdline);
        BinaryPrimitives.WriteUInt64LittleEndian(info[32..], rsdp);
        if (!initrd.IsEmpty)
        {
            ulong at = image.FindFreeRam(HvmLayout.HighMemoryStart, (ulong)initrd.Length, HvmLayout.PageSize, HvmLayout.FourGiB)
                ?? throw new InvalidImageException($"initrd: {initrd.Length} bytes do not fit free RAM below 4 GiB");
            image.Write(at, initrd, "initrd");
            var module = info[ModuleListOffset..];
            BinaryPrimitives.WriteUInt64LittleEndian(module, at);
            BinaryPrimitives.WriteUInt64LittleEndian(module[8..], (ulong)initrd.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(info[12..], 1);
            BinaryPrimitives.WriteUInt64LittleEndian(info[16..], HvmLayout.BootInfo + ModuleListOffset);
        }
        var memmap = new byte[image.Map.Length * MemmapEntrySize];
        for (int i = 0; i < image.Map.Length; i++)
        {
            var m = memmap.AsSpan(i * MemmapEntrySize);
            BinaryPrimitives.WriteUInt64LittleEndian(m, image.Map[i].Base);
            BinaryPrimitives.WriteUInt64LittleEndian(m[8..], image.Map[i].Length);
            BinaryPrimitives.WriteUInt32LittleEndian(m[16..], (uint)image.Map[i].Type);
        }
        image.Write(HvmLayout.MemoryMapArea, memmap, "PVH memory map");
        BinaryPrimitives.WriteUInt64LittleEndian(info[40..], HvmLayout.MemoryMapArea);
        BinaryPrimitives.WriteUInt32LittleEndian(info[48..], (uint)image.Map.Length);
        return BootGdt.Protected32(image, entry, 0, (uint)HvmLayout.BootInfo);
    }
}
