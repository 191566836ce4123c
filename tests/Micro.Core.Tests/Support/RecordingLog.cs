namespace Micro.Core.Tests.Support;

/// <summary>Keeps every core log line.</summary>
public sealed class RecordingLog : CoreLog
{
    public readonly record struct Line(LogLevel Level, string Message, int Domid, long A, long B);

    private readonly List<Line> lines = new();

    public IReadOnlyList<Line> Lines
    {
        get
        {
            lock (lines)
                return lines.ToArray();
        }
    }

    public override void Write(LogLevel level, string message, int domid, long a, long b)
    {
        lock (lines)
            lines.Add(new Line(level, message, domid, a, b));
    }

    public int Count(LogLevel level, int domid) => Lines.Count(l => l.Level == level && l.Domid == domid);

    public void Clear()
    {
        lock (lines)
            lines.Clear();
    }
}
