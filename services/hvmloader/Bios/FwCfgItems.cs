using System.Buffers.Binary;
using System.Text;

namespace Micro.HvmLoader.Bios;

/// <summary>
/// What a BIOS reads through QEMU's fw_cfg interface (docs/specs/fw_cfg.rst): selector written to
/// port 0x510 (16 bits), item bytes read one at a time from port 0x511, no DMA. The items are the
/// signature, the interface id, RAM size, vCPU counts and a file directory holding "etc/e820" (the
/// same map every other boot path gets) and the SMBIOS tables as "etc/smbios/smbios-anchor" and
/// "etc/smbios/smbios-tables". The device model that serves the ports reads these bytes.
/// </summary>
public sealed class FwCfgItems
{
    public const ushort SelectorPort = 0x510, DataPort = 0x511;
    public const ushort Signature = 0x00, Id = 0x01, RamSize = 0x03, NbCpus = 0x05, MaxCpus = 0x0F, FileDir = 0x19, FirstFile = 0x20;
    public const int FileNameLength = 56;

    private readonly SortedDictionary<ushort, byte[]> _items = [];
    private readonly List<(string Name, ushort Key)> _files = [];

    public IReadOnlyDictionary<ushort, byte[]> Items => _items;

    public FwCfgItems(GuestConfig config, ReadOnlySpan<E820Entry> map)
    {
        _items[Signature] = "QEMU"u8.ToArray();
        _items[Id] = [1, 0, 0, 0]; // traditional interface only
        _items[RamSize] = BitConverter.GetBytes(config.MemoryBytes);
        _items[NbCpus] = BitConverter.GetBytes((ushort)config.Vcpus);
        _items[MaxCpus] = BitConverter.GetBytes((ushort)config.Vcpus);
        var e820 = new byte[map.Length * E820Entry.Size];
        for (int i = 0; i < map.Length; i++)
        {
            var e = e820.AsSpan(i * E820Entry.Size);
            BinaryPrimitives.WriteUInt64LittleEndian(e, map[i].Base);
            BinaryPrimitives.WriteUInt64LittleEndian(e[8..], map[i].Length);
            BinaryPrimitives.WriteUInt32LittleEndian(e[16..], (uint)map[i].Type);
        }
        AddFile("etc/e820", e820);
    }

    public void AddFile(string name, byte[] contents)
    {
        if (name.Length is 0 or >= FileNameLength || name.Any(c => c is < ' ' or > '~'))
            throw new ArgumentException($"fw_cfg file name '{name}' is not 1..55 printable characters", nameof(name));
        if (_files.Exists(f => f.Name == name))
            throw new ArgumentException($"fw_cfg file '{name}' exists", nameof(name));
        ushort key = (ushort)(FirstFile + _files.Count);
        _files.Add((name, key));
        _items[key] = contents;
        RebuildDirectory();
    }

    /// <summary>The file directory: count (big-endian), then per file size, select (big-endian), reserved, name[56].</summary>
    private void RebuildDirectory()
    {
        var dir = new byte[4 + _files.Count * 64];
        BinaryPrimitives.WriteUInt32BigEndian(dir, (uint)_files.Count);
        for (int i = 0; i < _files.Count; i++)
        {
            var f = dir.AsSpan(4 + i * 64);
            BinaryPrimitives.WriteUInt32BigEndian(f, (uint)_items[_files[i].Key].Length);
            BinaryPrimitives.WriteUInt16BigEndian(f[4..], _files[i].Key);
            Encoding.ASCII.GetBytes(_files[i].Name, f[8..]);
        }
        _items[FileDir] = dir;
    }
}
