namespace Micro.Toolstack.Config;

/// <summary>One <c>disk</c> entry, per xl-disk-configuration(5). Parsed and validated; not attached yet.</summary>
public sealed record DiskSpec(
    string Target,
    string Format,
    string Vdev,
    string Access,
    string Devtype,
    string? Backend,
    string? Backendtype,
    string? Script,
    IReadOnlyList<string> Flags);
