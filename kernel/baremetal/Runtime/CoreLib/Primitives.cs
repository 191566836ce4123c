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
    private sbyte _value;
}

public struct Byte
{
    private byte _value;
}

public struct Int16
{
    private short _value;
}

public struct UInt16
{
    private ushort _value;
}

public struct Int32
{
    private int _value;
}

public struct UInt32
{
    private uint _value;
}

public struct Int64
{
    private long _value;
}

public struct UInt64
{
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
