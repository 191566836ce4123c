using System.Diagnostics;
using Micro.Console.Tests.Support;
using Xunit.Abstractions;

namespace Micro.Console.Tests;

/// <summary>
/// What the fsync policy costs: the same megabyte through a daemon with --fsync always and with --fsync never,
/// in one run. Asserts only that every byte arrived; prints the throughputs and their ratio.
/// </summary>
public sealed class FsyncCostTests(ITestOutputHelper output)
{
    [Fact]
    public void AMegabyteArrivesWhateverThePolicyAndTheCostIsPrinted()
    {
        const int total = 1 << 20;
        double always = Drain("always", total), never = Drain("never", total);
        output.WriteLine($"1 MiB through the console: fsync always {total / always / 1e6:F1} MB/s, never {total / never / 1e6:F1} MB/s, always/never time ratio {always / never:F2}");
    }

    private static double Drain(string policy, int total)
    {
        using var world = new ConsoleWorld();
        var pages = world.AddConsole(1);
        world.StartDaemon("--rate", "0", "--fsync", policy);
        var clock = Stopwatch.StartNew();
        using var guest = world.StartGuest(pages, "write", total.ToString(), "51");
        Assert.Equal(0, guest.WaitForExit(ConsoleWorld.Timeout));
        var log = world.WaitForLog("d1", total);
        double seconds = clock.Elapsed.TotalSeconds;
        Assert.Equal(ConsoleWorld.Expected(total, 51), log);
        return seconds;
    }
}
