using System.Buffers.Binary;

namespace Micro.HvmLoader.Loaders;

/// <summary>One program header of an ELF image.</summary>
public readonly record struct ElfSegment(uint Type, uint Flags, ulong Offset, ulong VirtualAddress, ulong PhysicalAddress, ulong FileSize, ulong MemorySize)
{
    public const uint Load = 1, Note = 4;
}

/// <summary>One ELF note: owner name, type, descriptor bytes.</summary>
public sealed record ElfNote(string Name, uint Type, byte[] Descriptor);

/// <summary>
/// A little-endian x86 ELF32 or ELF64 executable, validated field by field against the file:
/// identification, type, machine, the program header table, every segment's file range and sizes.
/// Notes are read from PT_NOTE segments with their sizes checked. Nothing is trusted.
/// </summary>
public sealed class ElfImage
{
    public const ushort MachineI386 = 3, MachineX86_64 = 62;
    private const int MaxSegments = 64;

    public bool Is64 { get; }
    public ushort Machine { get; }
    public ulong Entry { get; }
    public IReadOnlyList<ElfSegment> Segments { get; }

    private ElfImage(bool is64, ushort machine, ulong entry, List<ElfSegment> segments)
    {
        Is64 = is64;
        Machine = machine;
        Entry = entry;
        Segments = segments;
    }

    public static bool HasMagic(ReadOnlySpan<byte> file) => file.Length >= 4 && file[0] == 0x7F && file[1] == (byte)'E' && file[2] == (byte)'L' && file[3] == (byte)'F';

    public static ElfImage Parse(ReadOnlySpan<byte> file)
    {
        if (!HasMagic(file))
            throw new InvalidImageException("ELF: no \\x7fELF magic");
        if (file.Length < 52)
            throw new InvalidImageException($"ELF: {file.Length} bytes is shorter than an ELF header");
        bool is64 = file[4] switch
        {
            1 => false,
            2 => true,
            _ => throw new InvalidImageException($"ELF: class {file[4]} is neither ELF32 (1) nor ELF64 (2)"),
        };
        if (file[5] != 1)
            throw new InvalidImageException($"ELF: data encoding {file[5]} is not little-endian (1)");
        if (file[6] != 1)
            throw new InvalidImageException($"ELF: identification version {file[6]} is not 1");
        int headerSize = is64 ? 64 : 52;
        if (file.Length < headerSize)
            throw new InvalidImageException($"ELF: {file.Length} bytes is shorter than an ELF64 header");
        ushort type = U16(file, 16), machine = U16(file, 18);
        if (type != 2)
            throw new InvalidImageException($"ELF: e_type {type} is not an executable (2)");
        if (machine != MachineI386 && machine != MachineX86_64)
            throw new InvalidImageException($"ELF: e_machine {machine} is not i386 (3) or x86-64 (62)");
        if (U32(file, 20) != 1)
            throw new InvalidImageException($"ELF: e_version {U32(file, 20)} is not 1");
        ulong entry = is64 ? U64(file, 24) : U32(file, 24);
        ulong phoff = is64 ? U64(file, 32) : U32(file, 28);
        ushort phentsize = U16(file, is64 ? 54 : 42), phnum = U16(file, is64 ? 56 : 44);
        int expected = is64 ? 56 : 32;
        if (phnum == 0)
            throw new InvalidImageException("ELF: no program headers");
        if (phnum > MaxSegments)
            throw new InvalidImageException($"ELF: {phnum} program headers exceed the {MaxSegments} accepted");
        if (phentsize != expected)
            throw new InvalidImageException($"ELF: e_phentsize {phentsize} is not {expected}");
        if (phoff > (ulong)file.Length || (ulong)phnum * phentsize > (ulong)file.Length - phoff)
            throw new InvalidImageException($"ELF: program headers at {phoff} ({phnum} x {phentsize} bytes) run past the file's {file.Length} bytes");

        var segments = new List<ElfSegment>();
        for (int i = 0; i < phnum; i++)
        {
            var ph = file.Slice((int)phoff + i * phentsize, phentsize);
            var s = is64
                ? new ElfSegment(U32(ph, 0), U32(ph, 4), U64(ph, 8), U64(ph, 16), U64(ph, 24), U64(ph, 32), U64(ph, 40))
                : new ElfSegment(U32(ph, 0), U32(ph, 24), U32(ph, 4), U32(ph, 8), U32(ph, 12), U32(ph, 16), U32(ph, 20));
            if (s.Type is ElfSegment.Load or ElfSegment.Note)
            {
                if (s.Offset > (ulong)file.Length || s.FileSize > (ulong)file.Length - s.Offset)
                    throw new InvalidImageException($"ELF: segment {i} file range [{s.Offset:x}, +{s.FileSize:x}) runs past the file's {file.Length} bytes");
                if (s.Type == ElfSegment.Load && s.FileSize > s.MemorySize)
                    throw new InvalidImageException($"ELF: segment {i} has p_filesz {s.FileSize:x} above p_memsz {s.MemorySize:x}");
                if (s.PhysicalAddress > ulong.MaxValue - s.MemorySize || s.VirtualAddress > ulong.MaxValue - s.MemorySize)
                    throw new InvalidImageException($"ELF: segment {i} wraps around the address space");
            }
            segments.Add(s);
        }
        if (!segments.Exists(s => s.Type == ElfSegment.Load && s.MemorySize > 0))
            throw new InvalidImageException("ELF: no loadable segment");
        return new(is64, machine, entry, segments);
    }

    /// <summary>The notes of every PT_NOTE segment; a note whose sizes leave its segment is an error.</summary>
    public List<ElfNote> Notes(ReadOnlySpan<byte> file)
    {
        var notes = new List<ElfNote>();
        foreach (var s in Segments)
        {
            if (s.Type != ElfSegment.Note)
                continue;
            var seg = file.Slice((int)s.Offset, (int)s.FileSize);
            int at = 0;
            while (at < seg.Length)
            {
                if (seg.Length - at < 12)
                    throw new InvalidImageException($"ELF: truncated note header at segment offset {at}");
                uint nameSize = U32(seg, at), descSize = U32(seg, at + 4), type = U32(seg, at + 8);
                ulong nameEnd = (ulong)at + 12 + Align4(nameSize), descEnd = nameEnd + Align4(descSize);
                if (nameSize == 0 || descEnd > (ulong)seg.Length)
                    throw new InvalidImageException($"ELF: note at segment offset {at} (name {nameSize}, desc {descSize} bytes) runs past its segment of {seg.Length} bytes");
                var name = seg.Slice(at + 12, (int)nameSize);
                string owner = System.Text.Encoding.ASCII.GetString(name[^1] == 0 ? name[..^1] : name);
                notes.Add(new(owner, type, seg.Slice((int)nameEnd, (int)descSize).ToArray()));
                at = (int)descEnd;
            }
        }
        return notes;
    }

    /// <summary>Copies every PT_LOAD segment to its physical address, checking each lies in RAM below <paramref name="limit"/>.</summary>
    public void LoadSegments(GuestImage image, ReadOnlySpan<byte> file, string what, ulong limit)
    {
        int n = 0;
        foreach (var s in Segments)
        {
            n++;
            if (s.Type != ElfSegment.Load || s.MemorySize == 0)
                continue;
            if (s.PhysicalAddress + s.MemorySize > limit)
                throw new InvalidImageException($"{what}: segment {n - 1} [{s.PhysicalAddress:x}, +{s.MemorySize:x}) ends above {limit:x}");
            if (!image.IsRam(s.PhysicalAddress, s.MemorySize))
                throw new InvalidImageException($"{what}: segment {n - 1} [{s.PhysicalAddress:x}, +{s.MemorySize:x}) is not in the guest's RAM");
            var target = image.Allocate(s.PhysicalAddress, s.MemorySize, $"{what} segment {n - 1}");
            file.Slice((int)s.Offset, (int)s.FileSize).CopyTo(target);
        }
    }

    /// <summary>The physical address of virtual address <paramref name="va"/>, if a loaded segment holds it.</summary>
    public ulong? Physical(ulong va)
    {
        foreach (var s in Segments)
        {
            if (s.Type == ElfSegment.Load && va >= s.VirtualAddress && va - s.VirtualAddress < s.MemorySize)
                return s.PhysicalAddress + (va - s.VirtualAddress);
        }
        return null;
    }

    private static ulong Align4(uint v) => ((ulong)v + 3) & ~3UL;
    private static ushort U16(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt16LittleEndian(b[at..]);
    private static uint U32(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt32LittleEndian(b[at..]);
    private static ulong U64(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt64LittleEndian(b[at..]);
}
