namespace Micro.Toolstack.Config;

/// <summary>An error or a warning about a configuration, printed as <c>file:line:column: error: message</c>.</summary>
public sealed record ConfigDiagnostic(ConfigPosition Position, bool IsError, string Message)
{
    public override string ToString() => $"{Position}: {(IsError ? "error" : "warning")}: {Message}";
}
