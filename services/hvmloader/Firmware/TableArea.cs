namespace Micro.HvmLoader.Firmware;

/// <summary>
/// Puts finished tables one after another inside a fixed area of guest memory, each aligned.
/// Tables that point at others are built after them, so every address is known when needed.
/// </summary>
public sealed class TableArea
{
    private readonly GuestImage _image;
    private readonly ulong _start, _end;
    private readonly string _name;
    private ulong _next;

    public TableArea(GuestImage image, ulong start, ulong end, string name)
    {
        _image = image;
        _start = _next = start;
        _end = end;
        _name = name;
    }

    /// <summary>Writes <paramref name="table"/> at the next <paramref name="alignment"/>-aligned address and returns it.</summary>
    public ulong Put(ReadOnlySpan<byte> table, ulong alignment, string what)
    {
        ulong at = (_next + alignment - 1) & ~(alignment - 1);
        if (at + (ulong)table.Length > _end)
            throw new InvalidOperationException($"{what} ({table.Length} bytes) does not fit the {_name} area [{_start:x}, {_end:x})");
        _image.Write(at, table, what);
        _next = at + (ulong)table.Length;
        return at;
    }
}
