using Micro.Core;
using Micro.Kernel.Domains;

namespace Micro.Kernel.Core;

/// <summary>
/// Formats the portable core's log records (a static message and two numbers) into the kernel log, at
/// most <see cref="LinesPerSecond"/> per domain per second: a guest retrying a failing hypercall in a
/// loop must not flood the log or slow the core. What is held back is counted and reported.
/// </summary>
public sealed class CoreLogSink(KernelLog log) : Micro.Core.CoreLog
{
    public const int LinesPerSecond = 50;

    private readonly Dictionary<int, (long Window, int Lines, long Suppressed)> _budget = [];

    public override void Write(LogLevel level, string message, int domid, long a, long b)
    {
        long window = Environment.TickCount64 / 1000;
        long suppressedBefore = 0;
        lock (_budget)
        {
            _budget.TryGetValue(domid, out var budget);
            if (budget.Window != window)
            {
                suppressedBefore = budget.Suppressed;
                budget = (window, 0, 0);
            }
            if (budget.Lines >= LinesPerSecond)
            {
                _budget[domid] = budget with { Suppressed = budget.Suppressed + 1 };
                return;
            }
            _budget[domid] = budget with { Lines = budget.Lines + 1 };
        }
        if (suppressedBefore > 0)
            log.Write($"d{domid}: {suppressedBefore} log lines suppressed (more than {LinesPerSecond} a second)");
        log.Write($"d{domid}: {level.ToString().ToLowerInvariant()}: {message} (a={a:x}, b={b})");
    }
}
