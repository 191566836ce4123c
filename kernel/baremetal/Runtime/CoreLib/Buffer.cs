using System.Runtime.CompilerServices;
using Micro.BareMetal.Runtime;

namespace System;

/// <summary>ilc's helper for copying structs that hold references (no GC here, so a plain copy).</summary>
internal static unsafe class Buffer
{
    internal static void BulkMoveWithWriteBarrier(ref byte destination, ref byte source, nuint byteCount)
        => Memory.Copy(Unsafe.AsPointer(ref destination), Unsafe.AsPointer(ref source), byteCount);

    internal static void Memmove(ref byte destination, ref byte source, nuint byteCount)
        => Memory.Copy(Unsafe.AsPointer(ref destination), Unsafe.AsPointer(ref source), byteCount);
}
