namespace Micro.HvmLoader;

/// <summary>Bytes hvmloader wrote at one guest-physical address, and what they are.</summary>
public sealed class GuestRegion(ulong gpa, byte[] bytes, string what)
{
    public ulong Gpa { get; } = gpa;
    public byte[] Bytes { get; } = bytes;
    public string What { get; } = what;
    public ulong End => Gpa + (ulong)Bytes.Length;
}
