using Micro.BareMetal.Platform;

namespace Internal.Runtime.CompilerHelpers;

/// <summary>
/// Where ilc-generated code goes on a failed check (bounds, null, division). There are no exceptions
/// in the kernel: each is a bug, so each panics with its name and a frame walk.
/// </summary>
internal static class ThrowHelpers
{
    public static void ThrowIndexOutOfRangeException() => Panic.Halt("index out of range");

    public static void ThrowNullReferenceException() => Panic.Halt("null reference");

    public static void ThrowDivideByZeroException() => Panic.Halt("divide by zero");

    public static void ThrowOverflowException() => Panic.Halt("arithmetic overflow");

    public static void ThrowArrayTypeMismatchException() => Panic.Halt("array type mismatch");

    public static void ThrowPlatformNotSupportedException() => Panic.Halt("platform not supported");

    public static void ThrowTypeLoadException() => Panic.Halt("type load");

    public static void ThrowArgumentException() => Panic.Halt("argument");

    public static void ThrowArgumentOutOfRangeException() => Panic.Halt("argument out of range");

    public static void ThrowInvalidProgramException() => Panic.Halt("invalid program");

    public static void ThrowFeatureBodyRemoved() => Panic.Halt("feature body removed");

    public static void ThrowNotImplementedException() => Panic.Halt("not implemented");
}
