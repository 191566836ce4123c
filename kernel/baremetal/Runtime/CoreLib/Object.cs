namespace System;

// The minimal core library: just the types the C# compiler and ilc insist on, with the layouts
// ilc expects. There is no garbage collector: objects come from a bump allocator and live forever.

public class Object
{
#pragma warning disable CS0169, IDE0051, IDE0044 // the method table pointer is laid out by the compiler
    private IntPtr _methodTable;
#pragma warning restore CS0169, IDE0051, IDE0044

    public Object()
    {
    }

    ~Object()
    {
    }

    // No virtual Equals/GetHashCode: ilc would generate field-comparing overrides for every struct,
    // which need runtime type information this kernel does not carry.

    public virtual string? ToString() => null;

    public static bool ReferenceEquals(object? a, object? b) => a == b;
}

public abstract class ValueType
{
}

public abstract class Enum : ValueType
{
}

public struct Void
{
}
