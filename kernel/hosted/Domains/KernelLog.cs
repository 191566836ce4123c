namespace Micro.Kernel.Domains;

/// <summary>
/// The hosted core's log: one line per refusal, malformed request or lifecycle event, naming the domain.
/// Lines are kept (tests read them) and echoed to an optional writer.
/// </summary>
public sealed class KernelLog(TextWriter? echo = null)
{
    private readonly List<string> _lines = [];

    public void Write(string line)
    {
        lock (_lines)
        {
            _lines.Add(line);
            echo?.WriteLine("micro-core: " + line);
        }
    }

    public string[] Lines
    {
        get { lock (_lines) return [.. _lines]; }
    }

    public bool Contains(string text)
    {
        lock (_lines)
            return _lines.Exists(l => l.Contains(text, StringComparison.Ordinal));
    }
}
