using Micro.Console.Tests.Support;
using Xunit.Abstractions;

namespace Micro.Console.Tests;

/// <summary>The daemon is SIGKILLed while a guest writes; after each restart it resumes from the ring indices.</summary>
public sealed class CrashSafetyTests(ITestOutputHelper output) : IDisposable
{
    private readonly ConsoleWorld _world = new();

    public void Dispose() => _world.Dispose();

    [Fact]
    public void AMegabyteSurvivesRepeatedKillsWithNoByteLostOrDoubled()
    {
        const int total = 1 << 20;
        var pages = _world.AddConsole(9);
        _world.StartDaemon("--rate", "0");
        using var guest = _world.StartGuest(pages, "write", total.ToString(), "11");
        var random = new Random(3);
        int kills = 0;
        var recoveries = new List<double>();
        for (int i = 0; i < 6 && !guest.HasExited; i++)
        {
            // Kill at a point chosen by how far the log has got, so the kills land while bytes flow.
            int target = (i + 1) * total / 8 + random.Next(0, total / 16);
            _world.WaitForLog("d9", target);
            _world.KillDaemon();
            kills++;
            Thread.Sleep(random.Next(0, 50)); // the guest fills the ring and waits meanwhile
            int before = _world.ReadLog("d9").Length;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            _world.Restart();
            if (before < total)
            {
                _world.WaitForLog("d9", before + 1);
                recoveries.Add(clock.Elapsed.TotalMilliseconds);
            }
        }
        Assert.Equal(0, guest.WaitForExit(ConsoleWorld.Timeout));
        var log = _world.WaitForLog("d9", total);
        Assert.True(kills >= 5, $"only {kills} kills happened before the guest finished");
        Assert.Equal(total, log.Length);
        Assert.Equal(ConsoleWorld.Expected(total, 11), log);
        Assert.Equal(0, pages.Ring.OutputPending.Count);
        output.WriteLine($"{kills} kills; restart to the next logged byte: {string.Join(", ", recoveries.Select(ms => $"{ms:F0} ms"))}");
        foreach (string line in _world.DaemonStderr.Split('\n'))
        {
            if (line.Contains("cut ", StringComparison.Ordinal) || line.Contains("resumed at", StringComparison.Ordinal))
                output.WriteLine(line);
        }
    }
}
