namespace Micro.HvmLoader.Firmware;

/// <summary>The checksum every PC firmware table uses: all bytes of the table sum to zero (mod 256).</summary>
public static class TableChecksum
{
    public static byte Sum(ReadOnlySpan<byte> bytes)
    {
        byte sum = 0;
        foreach (byte b in bytes)
            sum += b;
        return sum;
    }

    /// <summary>Sets the byte at <paramref name="at"/> so that <paramref name="table"/> sums to zero.</summary>
    public static void Fix(Span<byte> table, int at)
    {
        table[at] = 0;
        table[at] = (byte)-Sum(table);
    }
}
