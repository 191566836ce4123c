using Micro.Protocol.Os;

namespace Micro.Devices.Host;

/// <summary>
/// The guest's RAM as a device model sees it: the guest's memfd, mapped whole. Every guest address
/// is untrusted, so every access goes through <see cref="TryGet"/>, which refuses any range that is
/// not entirely inside RAM (overflow-safe); nothing outside the guest can be reached from here.
/// </summary>
public sealed unsafe class GuestRam : IDisposable
{
    private readonly SharedMemory _memory;

    public GuestRam(SharedMemory memory) => _memory = memory;

    public ulong Size => (ulong)_memory.Length;

    public bool Contains(ulong gpa, ulong length) => gpa <= Size && length <= Size - gpa;

    /// <summary>The bytes at [gpa, gpa+length), or false when any of them is outside RAM.</summary>
    public bool TryGet(ulong gpa, ulong length, out Span<byte> span)
    {
        if (!Contains(gpa, length) || length > int.MaxValue)
        {
            span = default;
            return false;
        }
        span = new Span<byte>(_memory.Pointer + gpa, (int)length);
        return true;
    }

    /// <summary>A reference to a naturally aligned value inside RAM; callers check <see cref="Contains"/> first.</summary>
    public ref T At<T>(ulong gpa) where T : unmanaged
    {
        if (!Contains(gpa, (ulong)sizeof(T)) || gpa % (ulong)sizeof(T) != 0)
            throw new ArgumentOutOfRangeException(nameof(gpa), $"{sizeof(T)} bytes at {gpa:x} are not an aligned range of guest RAM");
        return ref *(T*)(_memory.Pointer + gpa);
    }

    public void Dispose() => _memory.Dispose();
}
