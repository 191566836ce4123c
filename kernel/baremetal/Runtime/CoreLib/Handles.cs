namespace System;

public struct RuntimeTypeHandle
{
}

public struct RuntimeMethodHandle
{
}

public struct RuntimeFieldHandle
{
}

public abstract class Type
{
}
