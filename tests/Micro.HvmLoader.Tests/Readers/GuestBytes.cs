using System.Buffers.Binary;
using Micro.HvmLoader;

namespace Micro.HvmLoader.Tests.Readers;

/// <summary>Reads what hvmloader wrote, failing the test when a read leaves the written regions.</summary>
internal sealed class GuestBytes(GuestImage image)
{
    public byte[] Read(ulong gpa, int length)
    {
        Assert.True(image.TryRead(gpa, length, out var bytes), $"[{gpa:x}, +{length}) was not written by hvmloader");
        return bytes.ToArray();
    }

    public byte U8(ulong gpa) => Read(gpa, 1)[0];
    public ushort U16(ulong gpa) => BinaryPrimitives.ReadUInt16LittleEndian(Read(gpa, 2));
    public uint U32(ulong gpa) => BinaryPrimitives.ReadUInt32LittleEndian(Read(gpa, 4));
    public ulong U64(ulong gpa) => BinaryPrimitives.ReadUInt64LittleEndian(Read(gpa, 8));
    public string Ascii(ulong gpa, int length) => System.Text.Encoding.ASCII.GetString(Read(gpa, length));

    /// <summary>Scans [start, end) on 16-byte boundaries for a signature, as an OS finds the RSDP, SMBIOS and MP tables.</summary>
    public ulong? Scan(string signature, ulong start, ulong end)
    {
        for (ulong at = start; at < end; at += 16)
        {
            if (image.TryRead(at, signature.Length, out var b) && System.Text.Encoding.ASCII.GetString(b) == signature)
                return at;
        }
        return null;
    }

    public static byte Sum(ReadOnlySpan<byte> bytes)
    {
        int sum = 0;
        foreach (byte b in bytes)
            sum += b;
        return (byte)sum;
    }
}
