namespace Micro.HvmLoader;

/// <summary>One E820 range (the BIOS int 15h/e820 layout: base u64, length u64, type u32).</summary>
public readonly record struct E820Entry(ulong Base, ulong Length, E820Type Type)
{
    public const int Size = 20;

    public ulong End => Base + Length;
}

public enum E820Type : uint
{
    Ram = 1,
    Reserved = 2,
    Acpi = 3,
    Nvs = 4,
    Unusable = 5,
}
