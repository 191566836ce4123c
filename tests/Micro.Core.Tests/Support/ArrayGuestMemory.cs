using Micro.Core.Memory;

namespace Micro.Core.Tests.Support;

/// <summary>Guest-physical memory over a pinned byte array, starting at guest-physical 0.</summary>
public sealed unsafe class ArrayGuestMemory : GuestMemory
{
    private readonly byte[] bytes;

    public ArrayGuestMemory(int size)
    {
        bytes = GC.AllocateArray<byte>(size, pinned: true);
    }

    public byte[] Bytes => bytes;

    public ulong Size => (ulong)bytes.Length;

    protected override byte* TranslateRange(ulong address, ulong length)
    {
        if (address >= Size || length > Size - address)
            return null;
        fixed (byte* start = bytes)
            return start + address;
    }

    public void WriteStruct<T>(ulong address, T value) where T : unmanaged
    {
        Assert.Equal(0, Write(address, &value, (uint)sizeof(T)));
    }

    public T ReadStruct<T>(ulong address) where T : unmanaged
    {
        T value;
        Assert.Equal(0, Read(address, &value, (uint)sizeof(T)));
        return value;
    }
}
