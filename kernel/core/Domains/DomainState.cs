namespace Micro.Core.Domains;

/// <summary>The life of a domain.</summary>
public enum DomainState
{
    /// <summary>Created, not yet started: the toolstack and hvmloader may still write its memory.</summary>
    Constructing = 0,
    Running = 1,
    Paused = 2,
    /// <summary>Stopped by SCHEDOP_shutdown or the toolstack; see <see cref="Domain.ShutdownReason"/>.</summary>
    Shutdown = 3,
    /// <summary>Being destroyed; it is gone from the domain table once destruction ends.</summary>
    Dying = 4,
}
