namespace Micro.Core;

/// <summary>
/// Where the core's log lines go; each substrate supplies its own sink. Lines carry a static message
/// and a few numbers so that logging never formats strings in the core.
/// </summary>
public abstract class CoreLog
{
    /// <param name="level">How much it matters.</param>
    /// <param name="message">A string literal naming the operation or the fault.</param>
    /// <param name="domid">The domain that caused it.</param>
    /// <param name="a">First detail (for example the target domid, port, ref or hypercall number).</param>
    /// <param name="b">Second detail (for example the error returned).</param>
    public abstract void Write(LogLevel level, string message, int domid, long a, long b);
}
