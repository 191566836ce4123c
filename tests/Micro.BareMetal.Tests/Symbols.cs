using System.Globalization;
using Micro.Testing;

namespace Micro.BareMetal.Tests;

/// <summary>kernel.elf's symbol table (from `nm -n`), to check addresses the kernel prints.</summary>
public static class Symbols
{
    private static readonly Lazy<List<(ulong Address, string Name)>> Table = new(Load);

    public static ulong Address(string name)
        => Table.Value.First(s => s.Name == name).Address;

    /// <summary>The name of the nearest symbol at or below <paramref name="address"/>.</summary>
    public static string Containing(ulong address)
        => Table.Value.LastOrDefault(s => s.Address <= address).Name ?? "";

    private static List<(ulong, string)> Load()
    {
        using var nm = new ChildProcess(Requirements.Tool("nm"), ["-n", Path.Combine(BareMetalImage.Folder, "kernel.elf")]);
        Assert.Equal(0, nm.WaitForExit(TimeSpan.FromMinutes(1)));
        var table = new List<(ulong, string)>();
        foreach (string line in nm.Stdout.Split('\n'))
        {
            string[] parts = line.Trim().Split(' ');
            if (parts.Length == 3 && parts[1] is "T" or "t")
                table.Add((ulong.Parse(parts[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture), parts[2]));
        }
        return table;
    }
}
