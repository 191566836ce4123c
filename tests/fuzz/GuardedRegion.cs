using System.Runtime.InteropServices;

namespace Micro.Fuzz;

/// <summary>
/// Native memory for a ring with canary bytes on both sides, so a test can prove that hostile
/// indices or lengths never made the ring read or write outside its region.
/// </summary>
public sealed unsafe class GuardedRegion : IDisposable
{
    private const int Guard = 4096;
    private const byte Canary = 0xA5;
    private readonly byte* _block;

    public byte* Pointer { get; }
    public int Length { get; }

    public GuardedRegion(int length)
    {
        Length = length;
        _block = (byte*)NativeMemory.AlignedAlloc((nuint)(length + 2 * Guard), 4096);
        new Span<byte>(_block, Guard).Fill(Canary);
        new Span<byte>(_block + Guard, length).Clear();
        new Span<byte>(_block + Guard + length, Guard).Fill(Canary);
        Pointer = _block + Guard;
    }

    public Span<byte> Span => new(Pointer, Length);

    public ref uint Word(int offset) => ref *(uint*)(Pointer + offset);

    /// <summary>Throws (a crash, for a fuzzer) when a byte next to the region changed.</summary>
    public void CheckGuards()
    {
        if (new ReadOnlySpan<byte>(_block, Guard).IndexOfAnyExcept(Canary) >= 0)
            throw new InvalidOperationException("bytes before the region were written");
        if (new ReadOnlySpan<byte>(Pointer + Length, Guard).IndexOfAnyExcept(Canary) >= 0)
            throw new InvalidOperationException("bytes after the region were written");
    }

    public void Dispose() => NativeMemory.AlignedFree(_block);
}
