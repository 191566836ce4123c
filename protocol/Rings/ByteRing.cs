using System.Runtime.CompilerServices;

namespace Micro.Protocol.Rings;

/// <summary>
/// A byte stream over a power-of-two data area in shared memory with two free-running indices that
/// also live in shared memory — exactly a Xen ring (xenstore req/rsp, console in/out). The page is
/// the whole state: each operation reads both indices once, validates them, copies, and publishes
/// its own index with release semantics, so a restarted reader or writer carries on from the page.
/// Also the copy engine under <see cref="RecordRing"/>.
/// </summary>
/// <remarks>The pointers must stay mapped for the life of this view; the peer is never trusted.</remarks>
public readonly unsafe struct ByteRing
{
    private readonly byte* _data;
    private readonly uint* _cons;
    private readonly uint* _prod;

    public uint Size { get; }

    public ByteRing(byte* data, uint size, uint* cons, uint* prod)
    {
        if (!RingIndices.IsValidSize(size))
            throw new ArgumentOutOfRangeException(nameof(size), $"ring size {size} is not a power of two in [8, 2^30]");
        if (data == null || cons == null || prod == null)
            throw new ArgumentNullException(nameof(data), "ring pointers must be mapped");
        _data = data;
        Size = size;
        _cons = cons;
        _prod = prod;
    }

    public uint Consumer => Volatile.Read(ref *_cons);
    public uint Producer => Volatile.Read(ref *_prod);

    /// <summary>Producer side: copies as much of <paramref name="bytes"/> as fits; Count says how much.</summary>
    public RingResult Write(ReadOnlySpan<byte> bytes)
    {
        uint cons = Volatile.Read(ref *_cons);
        uint prod = Volatile.Read(ref *_prod);
        RingError e = RingIndices.Check(prod, cons, Size);
        if (e != RingError.None)
            return RingResult.Fail(e, prod, cons);
        int n = (int)Math.Min((uint)bytes.Length, Size - (prod - cons));
        CopyIn(prod, bytes[..n]);
        Volatile.Write(ref *_prod, prod + (uint)n);
        return RingResult.Ok(n);
    }

    /// <summary>Consumer side: copies up to <c>buffer.Length</c> produced bytes out; Count says how many.</summary>
    public RingResult Read(Span<byte> buffer)
    {
        uint prod = Volatile.Read(ref *_prod);
        uint cons = Volatile.Read(ref *_cons);
        RingError e = RingIndices.Check(prod, cons, Size);
        if (e != RingError.None)
            return RingResult.Fail(e, prod, cons);
        int n = (int)Math.Min((uint)buffer.Length, prod - cons);
        CopyOut(cons, buffer[..n]);
        Volatile.Write(ref *_cons, cons + (uint)n);
        return RingResult.Ok(n);
    }

    /// <summary>Bytes ready to read, or an error if the indices are inconsistent.</summary>
    public RingResult Readable()
    {
        uint prod = Volatile.Read(ref *_prod);
        uint cons = Volatile.Read(ref *_cons);
        RingError e = RingIndices.Check(prod, cons, Size);
        return e == RingError.None ? RingResult.Ok((int)(prod - cons)) : RingResult.Fail(e, prod, cons);
    }

    /// <summary>Bytes that may be written now, or an error if the indices are inconsistent.</summary>
    public RingResult Writable()
    {
        uint cons = Volatile.Read(ref *_cons);
        uint prod = Volatile.Read(ref *_prod);
        RingError e = RingIndices.Check(prod, cons, Size);
        return e == RingError.None ? RingResult.Ok((int)(Size - (prod - cons))) : RingResult.Fail(e, prod, cons);
    }

    /// <summary>Copies into the data area starting at free-running <paramref name="index"/>, wrapping once at most.</summary>
    /// <remarks>Callers guarantee <c>bytes.Length &lt;= Size</c> (the slot arithmetic keeps every access inside the area).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void CopyIn(uint index, ReadOnlySpan<byte> bytes)
    {
        if ((uint)bytes.Length > Size)
            ThrowLongerThanRing(bytes.Length);
        uint at = index & (Size - 1);
        uint first = Math.Min((uint)bytes.Length, Size - at);
        bytes[..(int)first].CopyTo(new Span<byte>(_data + at, (int)first));
        if (first < (uint)bytes.Length)
            bytes[(int)first..].CopyTo(new Span<byte>(_data, bytes.Length - (int)first));
    }

    /// <summary>Copies out of the data area starting at free-running <paramref name="index"/>, wrapping once at most.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void CopyOut(uint index, Span<byte> buffer)
    {
        if ((uint)buffer.Length > Size)
            ThrowLongerThanRing(buffer.Length);
        uint at = index & (Size - 1);
        uint first = Math.Min((uint)buffer.Length, Size - at);
        new ReadOnlySpan<byte>(_data + at, (int)first).CopyTo(buffer);
        if (first < (uint)buffer.Length)
            new ReadOnlySpan<byte>(_data, buffer.Length - (int)first).CopyTo(buffer[(int)first..]);
    }

    // Callers validate lengths against the indices first; this guard only catches a bug in a caller.
    private static void ThrowLongerThanRing(int length)
        => throw new InvalidOperationException($"copy of {length} bytes is longer than the ring");

    /// <summary>Reads the 32-bit little-endian word at an 8-aligned free-running index (never straddles the wrap).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal uint ReadWord(uint index) => Unsafe.ReadUnaligned<uint>(_data + (index & (Size - 1)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void WriteWord(uint index, uint value) => Unsafe.WriteUnaligned(_data + (index & (Size - 1)), value);
}
