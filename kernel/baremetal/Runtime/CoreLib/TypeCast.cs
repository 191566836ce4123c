using System.Runtime.CompilerServices;
using Micro.BareMetal.Platform;
using Micro.BareMetal.Runtime;

namespace System.Runtime;

/// <summary>
/// Casts ilc cannot resolve statically: class casts walk the parent chain of method tables;
/// interface casts need the runtime's interface maps, which the kernel does not use (they panic).
/// </summary>
internal static unsafe class TypeCast
{
    public static object? IsInstanceOfClass(MethodTable* target, object? obj)
    {
        if (obj is null)
            return null;
        for (MethodTable* mt = MethodTable.Of(obj); mt != null; mt = mt->RelatedType)
        {
            if (mt == target)
                return obj;
        }
        return null;
    }

    public static object? IsInstanceOfAny(MethodTable* target, object? obj) => IsInstanceOfClass(target, obj);

    public static object? IsInstanceOfInterface(MethodTable* target, object? obj)
    {
        Panic.Halt("interface cast (unsupported in the freestanding kernel)");
        return null;
    }

    public static bool IsInstanceOfException(MethodTable* target, object? obj) => IsInstanceOfClass(target, obj) is not null;

    public static object? CheckCastClass(MethodTable* target, object? obj)
    {
        if (obj is not null && IsInstanceOfClass(target, obj) is null)
            Panic.Halt("invalid cast");
        return obj;
    }

    public static object? CheckCastAny(MethodTable* target, object? obj) => CheckCastClass(target, obj);

    public static object? CheckCastClassSpecial(MethodTable* target, object? obj) => CheckCastClass(target, obj);

    public static object? CheckCastInterface(MethodTable* target, object? obj)
    {
        Panic.Halt("interface cast (unsupported in the freestanding kernel)");
        return obj;
    }

    /// <summary>Stores into an array of references (the covariance check is skipped: the kernel has no covariant stores).</summary>
    public static void StelemRef(object?[] array, nint index, object? obj)
    {
        if ((nuint)index >= (nuint)array.Length)
            Internal.Runtime.CompilerHelpers.ThrowHelpers.ThrowIndexOutOfRangeException();
        ref object? element = ref Unsafe.Add(ref ArrayData(array), (int)index);
        element = obj;
    }

    public static ref object? LdelemaRef(object?[] array, nint index, IntPtr elementType)
    {
        if ((nuint)index >= (nuint)array.Length)
            Internal.Runtime.CompilerHelpers.ThrowHelpers.ThrowIndexOutOfRangeException();
        return ref Unsafe.Add(ref ArrayData(array), (int)index);
    }

    private static ref object? ArrayData(object?[] array)
        => ref Unsafe.AsRef<object?>((byte*)MethodTable.AddressOf(array) + (2 * sizeof(IntPtr)));
}
