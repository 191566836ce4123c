using System.Buffers.Binary;
using System.Text;

namespace Micro.HvmLoader.Firmware.Acpi;

/// <summary>
/// The few AML encodings the DSDT needs (ACPI spec, "ACPI Machine Language Specification"): name
/// strings, package lengths, integers, EISA ids, Name/Scope/Device. Each returns finished bytes.
/// </summary>
public static class Aml
{
    private const byte ZeroOp = 0x00, OneOp = 0x01, NameOp = 0x08, BytePrefix = 0x0A, WordPrefix = 0x0B, DWordPrefix = 0x0C,
        StringPrefix = 0x0D, QWordPrefix = 0x0E, ScopeOp = 0x10, BufferOp = 0x11, PackageOp = 0x12, ExtOpPrefix = 0x5B, DeviceOp = 0x82,
        RootChar = 0x5C, DualNamePrefix = 0x2E, MultiNamePrefix = 0x2F;

    /// <summary>A NameString: optional leading '\', then 1..255 segments of up to 4 characters ('_'-padded).</summary>
    public static byte[] NameString(string path)
    {
        var bytes = new List<byte>();
        string rest = path;
        if (rest.StartsWith('\\'))
        {
            bytes.Add(RootChar);
            rest = rest[1..];
        }
        string[] segments = rest.Length == 0 ? [] : rest.Split('.');
        if (segments.Length == 2)
            bytes.Add(DualNamePrefix);
        else if (segments.Length > 2)
        {
            bytes.Add(MultiNamePrefix);
            bytes.Add((byte)segments.Length);
        }
        foreach (string s in segments)
        {
            if (s.Length is 0 or > 4 || !(s[0] is '_' or (>= 'A' and <= 'Z')) || !s.All(c => c is '_' or (>= 'A' and <= 'Z') or (>= '0' and <= '9')))
                throw new ArgumentException($"'{s}' is not an ACPI name segment", nameof(path));
            bytes.AddRange(Encoding.ASCII.GetBytes(s.PadRight(4, '_')));
        }
        if (segments.Length == 0)
            bytes.Add(0); // NullName
        return [.. bytes];
    }

    /// <summary>PkgLength followed by <paramref name="content"/>: the length counts its own bytes too.</summary>
    public static byte[] Package(ReadOnlySpan<byte> content)
    {
        int n = content.Length;
        byte[] lead;
        if (n + 1 < 0x40)
            lead = [(byte)(n + 1)];
        else if (n + 2 < 0x1000)
            lead = Encode(n + 2, 1);
        else if (n + 3 < 0x100000)
            lead = Encode(n + 3, 2);
        else if (n + 4 < 0x10000000)
            lead = Encode(n + 4, 3);
        else
            throw new ArgumentException($"{n} bytes exceed an AML package");
        return [.. lead, .. content];

        static byte[] Encode(int total, int follow)
        {
            var b = new byte[follow + 1];
            b[0] = (byte)((follow << 6) | (total & 0xF));
            for (int i = 0; i < follow; i++)
                b[i + 1] = (byte)(total >> (4 + 8 * i));
            return b;
        }
    }

    public static byte[] Integer(ulong value) => value switch
    {
        0 => [ZeroOp],
        1 => [OneOp],
        <= 0xFF => [BytePrefix, (byte)value],
        <= 0xFFFF => [WordPrefix, (byte)value, (byte)(value >> 8)],
        <= 0xFFFFFFFF => Prefixed(DWordPrefix, 4, value),
        _ => Prefixed(QWordPrefix, 8, value),
    };

    private static byte[] Prefixed(byte prefix, int size, ulong value)
    {
        var b = new byte[1 + size];
        b[0] = prefix;
        for (int i = 0; i < size; i++)
            b[1 + i] = (byte)(value >> (8 * i));
        return b;
    }

    public static byte[] String(string value) => [StringPrefix, .. Encoding.ASCII.GetBytes(value), 0];

    /// <summary>A compressed EISA id such as PNP0A03 (three letters, four hex digits), as iasl's EisaId().</summary>
    public static byte[] EisaId(string id)
    {
        if (id.Length != 7 || !id[..3].All(c => c is >= 'A' and <= 'Z') || !uint.TryParse(id[3..], System.Globalization.NumberStyles.HexNumber, null, out uint product))
            throw new ArgumentException($"'{id}' is not an EISA id", nameof(id));
        uint v = ((uint)(id[0] - 0x40) << 26) | ((uint)(id[1] - 0x40) << 21) | ((uint)(id[2] - 0x40) << 16) | product;
        return Integer(BinaryPrimitives.ReverseEndianness(v));
    }

    public static byte[] Buffer(ReadOnlySpan<byte> bytes) => [BufferOp, .. Package([.. Integer((ulong)bytes.Length), .. bytes])];

    public static byte[] PackageOf(params byte[][] elements) => [PackageOp, .. Package([(byte)elements.Length, .. elements.SelectMany(e => e)])];

    public static byte[] Name(string name, byte[] value) => [NameOp, .. NameString(name), .. value];

    public static byte[] Scope(string path, params byte[][] body) => [ScopeOp, .. Package([.. NameString(path), .. body.SelectMany(b => b)])];

    public static byte[] Device(string name, params byte[][] body) => [ExtOpPrefix, DeviceOp, .. Package([.. NameString(name), .. body.SelectMany(b => b)])];
}
