namespace Micro.Console.Discovery;

/// <summary>
/// What the daemon needs to know about domains: which have a console to serve (and the name their log takes),
/// and which have gone. <see cref="Fd"/> becomes readable when something may have changed.
/// </summary>
public abstract class DomainDirectory : IDisposable
{
    /// <summary>An fd the daemon polls; -1 when nothing ever changes on its own.</summary>
    public virtual int Fd => -1;

    /// <summary>How long the daemon may sleep before it must call <see cref="Refresh"/> again (-1: until <see cref="Fd"/> is readable).</summary>
    public virtual int RefreshTimeoutMs => -1;

    /// <summary>Reads what changed (called after <see cref="Fd"/> was readable, and every loop turn).</summary>
    public virtual void Refresh()
    {
    }

    /// <summary>The name for <paramref name="domid"/>'s console log, or null while it has no console to serve.</summary>
    public abstract string? ConsoleName(int domid);

    /// <summary>Domains released since the last call.</summary>
    public virtual IReadOnlyList<int> TakeReleased() => [];

    public virtual void Dispose() => GC.SuppressFinalize(this);
}

/// <summary>Without xenstore: every console handed over is served at once, its log named after its domid.</summary>
public sealed class StandaloneDirectory : DomainDirectory
{
    public override string? ConsoleName(int domid) => $"d{domid}";
}
