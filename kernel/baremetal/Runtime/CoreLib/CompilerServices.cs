namespace System.Runtime.CompilerServices;

public static class RuntimeHelpers
{
    /// <summary>Offset of the first character from a string reference: method table + length.</summary>
    public static unsafe int OffsetToStringData => sizeof(IntPtr) + sizeof(int);
}

[AttributeUsage(AttributeTargets.Property)]
public sealed class IndexerNameAttribute : Attribute
{
    public IndexerNameAttribute(string indexerName)
    {
    }
}

[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method | AttributeTargets.Constructor | AttributeTargets.Field | AttributeTargets.Struct)]
internal sealed class IntrinsicAttribute : Attribute
{
}

public static class IsVolatile
{
}

[AttributeUsage(AttributeTargets.Struct)]
public sealed class IsByRefLikeAttribute : Attribute
{
}

[AttributeUsage(AttributeTargets.All)]
public sealed class IsReadOnlyAttribute : Attribute
{
}

[AttributeUsage(AttributeTargets.All)]
public sealed class IsUnmanagedAttribute : Attribute
{
}

[AttributeUsage(AttributeTargets.Method | AttributeTargets.Constructor)]
public sealed class MethodImplAttribute : Attribute
{
    public MethodImplAttribute(MethodImplOptions methodImplOptions)
    {
    }
}

[Flags]
public enum MethodImplOptions
{
    NoInlining = 0x0008,
    NoOptimization = 0x0040,
    AggressiveInlining = 0x0100,
    InternalCall = 0x1000,
}

[AttributeUsage(AttributeTargets.Field, Inherited = false)]
public sealed class FixedBufferAttribute : Attribute
{
    public FixedBufferAttribute(Type elementType, int length)
    {
    }
}

[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Method | AttributeTargets.Field | AttributeTargets.Property | AttributeTargets.Parameter | AttributeTargets.Event | AttributeTargets.Interface)]
public sealed class CompilerGeneratedAttribute : Attribute
{
}

public static class RuntimeFeature
{
    public const string UnmanagedSignatureCallingConvention = nameof(UnmanagedSignatureCallingConvention);
    public const string ByRefFields = nameof(ByRefFields);
    public const string NumericIntPtr = nameof(NumericIntPtr);
    public const string DefaultImplementationsOfInterfaces = nameof(DefaultImplementationsOfInterfaces);
}

public sealed class CallConvCdecl
{
}

public sealed class CallConvStdcall
{
}

[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Interface)]
public sealed class InlineArrayAttribute : Attribute
{
    public InlineArrayAttribute(int length)
    {
    }
}

[AttributeUsage(AttributeTargets.Assembly | AttributeTargets.Module | AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Method | AttributeTargets.Constructor | AttributeTargets.Interface)]
public sealed class SkipLocalsInitAttribute : Attribute
{
}
