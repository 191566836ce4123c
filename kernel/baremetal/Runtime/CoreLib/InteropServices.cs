namespace System.Runtime.InteropServices;

[AttributeUsage(AttributeTargets.Method)]
public sealed class UnmanagedCallersOnlyAttribute : Attribute
{
#pragma warning disable CS0649, CA1051
    public string? EntryPoint;
#pragma warning restore CS0649, CA1051
}

[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct)]
public sealed class StructLayoutAttribute : Attribute
{
    public StructLayoutAttribute(LayoutKind layoutKind)
    {
    }

#pragma warning disable CS0649, CA1051
    public int Pack;
    public int Size;
#pragma warning restore CS0649, CA1051
}

public enum LayoutKind
{
    Sequential = 0,
    Explicit = 2,
    Auto = 3,
}

[AttributeUsage(AttributeTargets.Field)]
public sealed class FieldOffsetAttribute : Attribute
{
    public FieldOffsetAttribute(int offset)
    {
    }
}

/// <summary>ilc looks this interface up by name; nothing in the kernel implements it.</summary>
public interface IDynamicInterfaceCastable
{
    internal static IntPtr GetDynamicInterfaceImplementation(object instance, IntPtr interfaceType, ushort slot) => 0;
}
