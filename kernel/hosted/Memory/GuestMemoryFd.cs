using Micro.Protocol.Os;

namespace Micro.Kernel.Memory;

/// <summary>
/// A guest's RAM: one memfd mapped here and into the VM at guest-physical 0. The fd is the
/// capability that lets a device model of this guest (and no one else) map the same pages.
/// Every access from the core is bounds-checked against the RAM size: guest addresses are untrusted.
/// </summary>
public sealed unsafe class GuestMemoryFd : Micro.Core.Memory.GuestMemory, IDisposable
{
    private readonly SharedMemory _shm;

    public GuestMemoryFd(string name, ulong size)
    {
        if (size == 0 || size % GuestLayout.PageSize != 0)
            throw new ArgumentOutOfRangeException(nameof(size), "guest RAM must be a positive number of pages");
        _shm = SharedMemory.Create(name, (long)size);
    }

    public ulong Size => (ulong)_shm.Length;

    protected override byte* TranslateRange(ulong address, ulong length) => Contains(address, length) ? _shm.Pointer + address : null;
    public int Fd => _shm.Fd;
    internal byte* Host => _shm.Pointer;

    /// <summary>True when [gpa, gpa+length) lies inside RAM (overflow-safe).</summary>
    public bool Contains(ulong gpa, ulong length) => gpa <= Size && length <= Size - gpa;

    /// <summary>The bytes at [gpa, gpa+length), or an empty span with false when out of range.</summary>
    public bool TryGetSpan(ulong gpa, ulong length, out Span<byte> span)
    {
        if (!Contains(gpa, length) || length > int.MaxValue)
        {
            span = default;
            return false;
        }
        span = new Span<byte>(_shm.Pointer + gpa, (int)length);
        return true;
    }

    /// <summary>The bytes at [gpa, gpa+length) for the core's own setup; out of range is a bug here.</summary>
    public Span<byte> Span(ulong gpa, ulong length)
        => TryGetSpan(gpa, length, out var s) ? s : throw new ArgumentOutOfRangeException(nameof(gpa), $"gpa {gpa:x}+{length:x} is outside {Size:x} bytes of RAM");

    public bool TryRead<T>(ulong gpa, out T value) where T : unmanaged
    {
        if (!Contains(gpa, (ulong)sizeof(T)))
        {
            value = default;
            return false;
        }
        value = *(T*)(_shm.Pointer + gpa);
        return true;
    }

    public bool TryWrite<T>(ulong gpa, T value) where T : unmanaged
    {
        if (!Contains(gpa, (ulong)sizeof(T)))
            return false;
        *(T*)(_shm.Pointer + gpa) = value;
        return true;
    }

    public void Dispose() => _shm.Dispose();
}
