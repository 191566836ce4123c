namespace System.Runtime.CompilerServices;

/// <summary>ilc supplies the bodies of these (it recognizes the type in the system module).</summary>
public static unsafe class Unsafe
{
    [Intrinsic]
    public static extern T As<T>(object? o)
        where T : class;

    [Intrinsic]
    public static extern ref TTo As<TFrom, TTo>(ref TFrom source);

    [Intrinsic]
    public static extern void* AsPointer<T>(ref T value);

    [Intrinsic]
    public static extern ref T AsRef<T>(void* source);

    [Intrinsic]
    public static extern int SizeOf<T>();

    [Intrinsic]
    public static extern ref T Add<T>(ref T source, int elementOffset);
}
