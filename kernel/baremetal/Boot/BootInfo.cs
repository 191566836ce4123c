namespace Micro.BareMetal.Boot;

/// <summary>What the loader told us: usable and reserved memory, the command line, where its info lives.</summary>
internal sealed unsafe class BootInfo
{
    public const int MaxRegions = 64;
    public const int MaxCommandLine = 256;
    public const uint Usable = 1;

    public readonly MemoryRegion[] Regions = new MemoryRegion[MaxRegions];
    public readonly byte[] CommandLine = new byte[MaxCommandLine];
    public int RegionCount;
    public int CommandLineLength;
    public ulong InfoStart;
    public ulong InfoEnd;

    public string? AddRegion(ulong start, ulong length, uint type)
    {
        if (RegionCount == MaxRegions)
            return "memory map has too many regions";
        if (length == 0 || start + length < start)
            return "memory map region empty or wrapping";
        Regions[RegionCount++] = new MemoryRegion { Start = start, Length = length, Type = type };
        return null;
    }

    /// <summary>The value of the first `key=value` word, as a range of <see cref="CommandLine"/>; false if absent.</summary>
    public bool FindValue(string key, out int start, out int length)
    {
        for (int word = 0; word < CommandLineLength;)
        {
            int end = word;
            while (end < CommandLineLength && CommandLine[end] != ' ')
                end++;
            int i = 0;
            while (i < key.Length && word + i < end && CommandLine[word + i] == key[i])
                i++;
            if (i == key.Length && word + i < end && CommandLine[word + i] == '=')
            {
                start = word + i + 1;
                length = end - start;
                return true;
            }
            word = end + 1;
        }
        start = 0;
        length = 0;
        return false;
    }

    /// <summary>Whether the command line contains <paramref name="word"/> as a whole space-separated word.</summary>
    public bool HasWord(string word)
    {
        for (int start = 0; start < CommandLineLength;)
        {
            int end = start;
            while (end < CommandLineLength && CommandLine[end] != ' ')
                end++;
            if (end - start == word.Length)
            {
                int i = 0;
                while (i < word.Length && CommandLine[start + i] == word[i])
                    i++;
                if (i == word.Length)
                    return true;
            }
            start = end + 1;
        }
        return false;
    }
}

internal struct MemoryRegion
{
    public ulong Start;
    public ulong Length;
    public uint Type;
}
