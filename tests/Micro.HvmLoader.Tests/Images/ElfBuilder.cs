using System.Buffers.Binary;
using System.Text;

namespace Micro.HvmLoader.Tests.Images;

/// <summary>Writes small ELF32/ELF64 executables for the loader tests: loadable segments and Xen notes.</summary>
internal sealed class ElfBuilder(bool is64)
{
    private readonly List<(uint Type, ulong Address, byte[] Bytes, ulong MemSize)> _segments = [];

    public ushort Machine { get; set; } = is64 ? (ushort)62 : (ushort)3;

    public ElfBuilder Load(ulong address, byte[] bytes, ulong memSize = 0)
    {
        _segments.Add((1, address, bytes, Math.Max(memSize, (ulong)bytes.Length)));
        return this;
    }

    public ElfBuilder Note(string name, uint type, byte[] desc)
    {
        var n = new List<byte>();
        byte[] nameBytes = [.. Encoding.ASCII.GetBytes(name), 0];
        n.AddRange(BitConverter.GetBytes(nameBytes.Length));
        n.AddRange(BitConverter.GetBytes(desc.Length));
        n.AddRange(BitConverter.GetBytes(type));
        n.AddRange(nameBytes);
        while (n.Count % 4 != 0) n.Add(0);
        n.AddRange(desc);
        while (n.Count % 4 != 0) n.Add(0);
        _segments.Add((4, 0, [.. n], (ulong)n.Count));
        return this;
    }

    public byte[] Build(ulong entry)
    {
        int eh = is64 ? 64 : 52, ph = is64 ? 56 : 32;
        int dataAt = eh + ph * _segments.Count;
        var file = new List<byte>(new byte[dataAt]);
        var offsets = new List<int>();
        foreach (var s in _segments)
        {
            while (file.Count % 16 != 0) file.Add(0);
            offsets.Add(file.Count);
            file.AddRange(s.Bytes);
        }
        var b = file.ToArray();
        b[0] = 0x7F; b[1] = (byte)'E'; b[2] = (byte)'L'; b[3] = (byte)'F';
        b[4] = is64 ? (byte)2 : (byte)1; b[5] = 1; b[6] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(16), 2);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(18), Machine);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(20), 1);
        if (is64)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(24), entry);
            BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(32), (ulong)eh);
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(52), (ushort)eh);
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(54), (ushort)ph);
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(56), (ushort)_segments.Count);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(24), (uint)entry);
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(28), (uint)eh);
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(40), (ushort)eh);
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(42), (ushort)ph);
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(44), (ushort)_segments.Count);
        }
        for (int i = 0; i < _segments.Count; i++)
        {
            var s = _segments[i];
            var p = b.AsSpan(eh + i * ph);
            if (is64)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(p, s.Type);
                BinaryPrimitives.WriteUInt32LittleEndian(p[4..], 5);
                BinaryPrimitives.WriteUInt64LittleEndian(p[8..], (ulong)offsets[i]);
                BinaryPrimitives.WriteUInt64LittleEndian(p[16..], s.Address);
                BinaryPrimitives.WriteUInt64LittleEndian(p[24..], s.Address);
                BinaryPrimitives.WriteUInt64LittleEndian(p[32..], (ulong)s.Bytes.Length);
                BinaryPrimitives.WriteUInt64LittleEndian(p[40..], s.MemSize);
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(p, s.Type);
                BinaryPrimitives.WriteUInt32LittleEndian(p[4..], (uint)offsets[i]);
                BinaryPrimitives.WriteUInt32LittleEndian(p[8..], (uint)s.Address);
                BinaryPrimitives.WriteUInt32LittleEndian(p[12..], (uint)s.Address);
                BinaryPrimitives.WriteUInt32LittleEndian(p[16..], (uint)s.Bytes.Length);
                BinaryPrimitives.WriteUInt32LittleEndian(p[20..], (uint)s.MemSize);
                BinaryPrimitives.WriteUInt32LittleEndian(p[24..], 5);
            }
        }
        return b;
    }
}
