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

// The JIT asks for this class by name; no instance ever exists here.
internal sealed class RuntimeType : Type
{
}
