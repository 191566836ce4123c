using Micro.BareMetal.Platform;

namespace System;

/// <summary>ilc's helpers for checked floating-point conversions; the kernel does no floating point.</summary>
public static class Math
{
    internal static int ConvertToInt32Checked(double value) => (int)Fail();

    internal static uint ConvertToUInt32Checked(double value) => (uint)Fail();

    internal static long ConvertToInt64Checked(double value) => (long)Fail();

    internal static ulong ConvertToUInt64Checked(double value) => (ulong)Fail();

    private static ulong Fail()
    {
        Panic.Halt("floating-point conversion in the kernel");
        return 0;
    }
}
