namespace Micro.Toolstack.Config;

/// <summary>Where something is in a configuration file: 1-based line and column (in characters).</summary>
public readonly record struct ConfigPosition(string File, int Line, int Column)
{
    public override string ToString() => $"{File}:{Line}:{Column}";
}
