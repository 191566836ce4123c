using System;
using System.Runtime;
using System.Runtime.CompilerServices;
using Micro.BareMetal.Platform;

namespace Micro.BareMetal.Runtime;

/// <summary>The allocation entry points ilc-generated code calls for <c>new</c>.</summary>
internal static unsafe class RuntimeExports
{
    [RuntimeExport("RhpNewFast")]
    private static object RhpNewFast(MethodTable* mt)
    {
        byte* p = Heap.Allocate(mt->BaseSize);
        *(MethodTable**)p = mt;
        return ToObject(p);
    }

    [RuntimeExport("RhpNewArrayFast")]
    private static object RhpNewArrayFast(MethodTable* mt, int length) => NewArray(mt, length);

    [RuntimeExport("RhpNewPtrArrayFast")]
    private static object RhpNewPtrArrayFast(MethodTable* mt, int length) => NewArray(mt, length);

    [RuntimeExport("RhNewString")]
    private static object RhNewString(MethodTable* mt, int length) => NewArray(mt, length);

    private static object NewArray(MethodTable* mt, int length)
    {
        if (length < 0)
            Panic.Halt("negative array length");
        ulong size = mt->BaseSize + ((ulong)length * mt->ComponentSize);
        byte* p = Heap.Allocate((size + 7) & ~7UL);
        *(MethodTable**)p = mt;
        *(int*)(p + sizeof(void*)) = length;
        return ToObject(p);
    }

    private static object ToObject(byte* p)
    {
        nint address = (nint)p;
        return Unsafe.As<nint, object>(ref address);
    }
}
