namespace System;

public struct Nullable<T>
    where T : struct
{
    private readonly bool _hasValue;
    private readonly T _value;

    public Nullable(T value)
    {
        _hasValue = true;
        _value = value;
    }

    public readonly bool HasValue => _hasValue;

    public readonly T Value => _value;

    public readonly T GetValueOrDefault() => _value;

    public static implicit operator Nullable<T>(T value) => new Nullable<T>(value);
}
