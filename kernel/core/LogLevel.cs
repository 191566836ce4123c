namespace Micro.Core;

/// <summary>How much a core log line matters.</summary>
public enum LogLevel
{
    Info = 0,
    /// <summary>A guest or service sent something malformed or out of range.</summary>
    Warning = 1,
    /// <summary>The privilege policy refused an operation.</summary>
    Refusal = 2,
}
