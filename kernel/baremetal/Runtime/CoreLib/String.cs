namespace System;

/// <summary>Strings exist as literals only (frozen by ilc); there is no string allocation.</summary>
public sealed class String
{
    // Layout contract with ilc: length, then the UTF-16 characters.
#pragma warning disable CS0649, IDE0044
    private readonly int _length;
    private char _firstChar;
#pragma warning restore CS0649, IDE0044

    public int Length => _length;

    [System.Runtime.CompilerServices.IndexerName("Chars")]
    public unsafe char this[int index]
    {
        get
        {
            if ((uint)index >= (uint)_length)
                Internal.Runtime.CompilerHelpers.ThrowHelpers.ThrowIndexOutOfRangeException();
            fixed (char* p = &_firstChar)
                return p[index];
        }
    }
}
