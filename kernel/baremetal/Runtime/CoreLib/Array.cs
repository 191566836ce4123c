namespace System;

/// <summary>Arrays: the method table, then the length (padded to 8 bytes), then the elements.</summary>
public abstract class Array
{
#pragma warning disable CS0649, IDE0044
    private readonly int _length;
#pragma warning restore CS0649, IDE0044

    public int Length => _length;
}

// ilc looks this type up to give T[] its vtable.
#pragma warning disable CA1812
internal sealed class Array<T> : Array
{
}
