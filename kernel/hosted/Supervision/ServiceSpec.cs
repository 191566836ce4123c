namespace Micro.Kernel.Supervision;

/// <summary>
/// How to run one service: its program and arguments (<c>{socket}</c> is replaced by the path of its
/// control socket), the dedicated uid/gid it runs as, and who serves its requests.
/// </summary>
public sealed record ServiceSpec(string Name, string Program, IReadOnlyList<string> Args, uint Uid, uint Gid, ServiceRequestHandler Handler)
{
    /// <summary>The first restart waits this long; each quick failure doubles it up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(50);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>A run at least this long counts as healthy and resets the backoff.</summary>
    public TimeSpan StableAfter { get; init; } = TimeSpan.FromSeconds(10);
}
