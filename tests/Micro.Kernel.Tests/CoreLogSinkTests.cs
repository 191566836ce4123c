using Micro.Core;
using Micro.Kernel.Core;
using Micro.Kernel.Domains;

namespace Micro.Kernel.Tests;

public sealed class CoreLogSinkTests
{
    [Fact]
    public void A_domain_flooding_the_log_is_held_to_its_budget_and_others_still_log()
    {
        var log = new KernelLog();
        var sink = new CoreLogSink(log);
        long start = Environment.TickCount64 / 1000;
        for (int i = 0; i < 10_000; i++)
            sink.Write(LogLevel.Warning, "hypercall failed", 1, i, -22);
        sink.Write(LogLevel.Refusal, "grant_map", 2, 1, 8);
        bool sameSecond = Environment.TickCount64 / 1000 == start;

        int d1 = log.Lines.Count(l => l.StartsWith("d1: warning", StringComparison.Ordinal));
        Assert.InRange(d1, CoreLogSink.LinesPerSecond, sameSecond ? CoreLogSink.LinesPerSecond : 10 * CoreLogSink.LinesPerSecond);
        Assert.Contains("d2: refusal: grant_map (a=1, b=8)", log.Lines);

        // The next window reports what was held back.
        Thread.Sleep(1100);
        sink.Write(LogLevel.Warning, "hypercall failed", 1, 0, -22);
        Assert.Contains(log.Lines, l => l.StartsWith("d1: ", StringComparison.Ordinal) && l.Contains("log lines suppressed", StringComparison.Ordinal));
    }
}
