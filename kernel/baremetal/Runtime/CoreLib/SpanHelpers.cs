using System.Runtime.CompilerServices;
using Micro.BareMetal.Runtime;

namespace System;

/// <summary>ilc's helpers for block copies and fills of unmanaged data (cpblk, initblk).</summary>
internal static unsafe class SpanHelpers
{
    internal static void Memmove(ref byte destination, ref byte source, nuint byteCount)
        => Memory.Copy(Unsafe.AsPointer(ref destination), Unsafe.AsPointer(ref source), byteCount);

    internal static void Fill(ref byte destination, byte value, nuint byteCount)
        => Memory.Fill(Unsafe.AsPointer(ref destination), value, byteCount);

    internal static void ClearWithoutReferences(ref byte destination, nuint byteCount)
        => Memory.Zero(Unsafe.AsPointer(ref destination), byteCount);

    internal static void ClearWithReferences(ref IntPtr destination, nuint pointerCount)
        => Memory.Zero(Unsafe.AsPointer(ref destination), pointerCount * (nuint)sizeof(IntPtr));
}
