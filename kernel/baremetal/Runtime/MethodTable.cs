using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Micro.BareMetal.Runtime;

/// <summary>The head of an ilc method table: what allocation and class casts need.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct MethodTable
{
    /// <summary>Element size of arrays and strings (the low half of the flags word).</summary>
    public ushort ComponentSize;
    public ushort Flags;

    /// <summary>Size of an instance, or of an array with no elements (header and length included).</summary>
    public uint BaseSize;

    /// <summary>The parent class (for classes) or element type (for arrays).</summary>
    public MethodTable* RelatedType;

    public static void* AddressOf(object obj) => *(void**)Unsafe.AsPointer(ref obj);

    public static MethodTable* Of(object obj) => *(MethodTable**)AddressOf(obj);
}
