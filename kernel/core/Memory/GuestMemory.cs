namespace Micro.Core.Memory;

/// <summary>
/// A domain's memory as the core sees it. The substrate implements <see cref="Translate"/> (hosted: a
/// memfd mapping; bare metal: host-physical memory behind nested paging); every hypercall argument
/// pointer goes through the bounds-checked copies here, which return -EFAULT instead of faulting.
/// Addresses are the ones the guest passes, treated as guest-physical.
/// </summary>
public abstract unsafe class GuestMemory
{
    /// <summary>
    /// The host address of [<paramref name="address"/>, <paramref name="address"/> + <paramref name="length"/>)
    /// when the whole range is memory of this domain in one contiguous host mapping; otherwise null.
    /// Called only with ranges that do not wrap around.
    /// </summary>
    protected abstract byte* TranslateRange(ulong address, ulong length);

    /// <summary>The host address of a guest range, or null when any byte of it is outside the domain's memory.</summary>
    public byte* Translate(ulong address, ulong length)
    {
        if (length == 0 || address + length < address)
            return null;
        return TranslateRange(address, length);
    }

    /// <summary>Copies guest bytes into <paramref name="destination"/>; 0 or -EFAULT.</summary>
    public int Read(ulong address, void* destination, uint length)
    {
        if (length == 0)
            return 0;
        byte* source = Translate(address, length);
        if (source == null)
            return -Errno.EFAULT;
        Copy(source, (byte*)destination, length);
        return 0;
    }

    /// <summary>Copies <paramref name="source"/> into guest memory; 0 or -EFAULT.</summary>
    public int Write(ulong address, void* source, uint length)
    {
        if (length == 0)
            return 0;
        byte* destination = Translate(address, length);
        if (destination == null)
            return -Errno.EFAULT;
        Copy((byte*)source, destination, length);
        return 0;
    }

    /// <summary>Whether the 4 KiB frame <paramref name="gfn"/> is memory of this domain.</summary>
    public bool HasFrame(ulong gfn) => gfn < (1UL << 52) && Translate(gfn << 12, 4096) != null;

    /// <summary>A plain byte copy: the freestanding build has no Buffer.MemoryCopy.</summary>
    public static void Copy(byte* source, byte* destination, uint length)
    {
        for (uint i = 0; i < length; i++)
            destination[i] = source[i];
    }

    public static void Zero(byte* destination, uint length)
    {
        for (uint i = 0; i < length; i++)
            destination[i] = 0;
    }
}
