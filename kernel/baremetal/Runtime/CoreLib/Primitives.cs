namespace System;

// Built-in value types; the compiler knows their operators, so they carry no members.
#pragma warning disable CS0169, IDE0051, IDE0044 // fields give ilc each type's size

public struct Boolean
{
    private bool _value;
}

public struct Char
{
    private char _value;
}

public struct SByte
{
    public const sbyte MinValue = -128;
    public const sbyte MaxValue = 127;

    private sbyte _value;
}

public struct Byte
{
    public const byte MinValue = 0;
    public const byte MaxValue = 255;

    private byte _value;
}

public struct Int16
{
    public const short MinValue = -32768;
    public const short MaxValue = 32767;

    private short _value;
}

public struct UInt16
{
    public const ushort MinValue = 0;
    public const ushort MaxValue = 65535;

    private ushort _value;
}

public struct Int32
{
    public const int MinValue = -2147483648;
    public const int MaxValue = 2147483647;

    private int _value;
}

public struct UInt32
{
    public const uint MinValue = 0;
    public const uint MaxValue = 4294967295;

    private uint _value;
}

public struct Int64
{
    public const long MinValue = unchecked((long)0x8000000000000000);
    public const long MaxValue = 9223372036854775807;

    private long _value;
}

public struct UInt64
{
    public const ulong MinValue = 0;
    public const ulong MaxValue = 18446744073709551615;

    private ulong _value;
}

public struct Single
{
    private float _value;
}

public struct Double
{
    private double _value;
}

public unsafe struct IntPtr
{
    private void* _value;
}

public unsafe struct UIntPtr
{
    private void* _value;
}
