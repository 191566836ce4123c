using System.Diagnostics;
using Micro.RingPeer;

namespace Micro.Bench.Protocol;

/// <summary>
/// Raw record-ring throughput between two processes: the C# ring (micro-ringpeer on both sides)
/// against a C ring with the same layout (ring.c, compiled here with gcc), same record sizes, same
/// run, alternating. Prints messages/s, the ratio C#/C, and notifications per million messages.
/// </summary>
internal static class RingBenchmark
{
    private const uint DataSize = 1 << 20;
    private const double Goal = 0.8;

    // Both sides pinned, each to its own CPU when there are two: where the scheduler happens to put them
    // (one CPU or two) changes throughput severalfold, which would swamp the C/C# difference.
    private static readonly int ProducerCpu = 0;
    private static readonly int ConsumerCpu = Environment.ProcessorCount >= 2 ? 1 : 0;
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    public static int Run(string[] args)
    {
        if (args.Any(a => a != "--quick"))
        {
            Console.Error.WriteLine("usage: ring [--quick]");
            return 2;
        }
        bool quick = args.Contains("--quick");
        int repetitions = quick ? 1 : 5;
        string cRing = CompileC();
        Console.WriteLine($"ring throughput, two processes, {DataSize >> 10} KiB ring, raw records (sequence number checked), " +
                          $"producer on CPU {ProducerCpu}, consumer on CPU {ConsumerCpu}, " +
                          $"{repetitions} run(s) each, alternating; rates are medians, C#/C the median of per-pair ratios; goal: C#/C >= {Goal}");
        Console.WriteLine($"{"record",-8} {"C msg/s",12} {"C# msg/s",12} {"C#/C",6} {"goal",6} {"C# MB/s",9} {"notify/1M C",12} {"notify/1M C#",13}");
        bool allMet = true;
        foreach (int length in new[] { 64, 1024 })
        {
            uint count = (uint)((quick ? 32 : 256) * 1_000_000L / (length + 64));
            var c = new List<RingStats[]>();
            var cs = new List<RingStats[]>();
            for (int i = 0; i < repetitions; i++)
            {
                c.Add(RunPair(length, count, ring => PeerProcess.Native(cRing, "consume", ring, count, length, ConsumerCpu),
                                             ring => PeerProcess.Native(cRing, "produce", ring, count, length, ProducerCpu)));
                cs.Add(RunPair(length, count, ring => PeerProcess.RingPeer("consume", ring, count, $"raw:{length}", ConsumerCpu),
                                              ring => PeerProcess.RingPeer("produce", ring, count, $"raw:{length}", ProducerCpu)));
            }
            double cRate = Median(c.Select(Rate)), csRate = Median(cs.Select(Rate));
            // Each C# run is compared with the C run just before it, which saw the same load on the machine.
            double ratio = Median(c.Zip(cs, (cRun, csRun) => Rate(csRun) / Rate(cRun)));
            bool met = ratio >= Goal;
            allMet &= met;
            Console.WriteLine($"{length + " B",-8} {cRate,12:N0} {csRate,12:N0} {ratio,6:F2} {(met ? "met" : "MISSED"),6} {csRate * length / 1e6,9:F0} " +
                              $"{Median(c.Select(NotifiesPerMillion)),12:F1} {Median(cs.Select(NotifiesPerMillion)),13:F1}");
        }
        Console.WriteLine(allMet ? $"goal met: C# ring >= {Goal}x the C ring for every record size" : "goal MISSED for at least one record size (see C#/C)");
        return 0;
    }

    private static RingStats[] RunPair(int length, uint count, Func<SharedRing, PeerProcess> consumer, Func<SharedRing, PeerProcess> producer)
    {
        using var ring = SharedRing.Create("ring-bench", DataSize, (uint)length);
        using var c = consumer(ring);
        c.WaitReady(Timeout);
        using var p = producer(ring);
        var produced = p.Finish("producer", Timeout);
        var consumed = c.Finish("consumer", Timeout);
        if (consumed.Messages != count)
            throw new InvalidOperationException($"consumer saw {consumed.Messages} of {count} records");
        return [produced, consumed];
    }

    private static double Rate(RingStats[] run) => run[1].Messages / (run[1].ElapsedNs / 1e9);

    private static double NotifiesPerMillion(RingStats[] run) => (run[0].Notifies + run[1].Notifies) * 1e6 / run[1].Messages;

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    /// <summary>Builds the C baseline from ring.c (next to this program) into a fresh temporary directory.</summary>
    private static string CompileC()
    {
        string source = Path.Combine(AppContext.BaseDirectory, "ring.c");
        string exe = Path.Combine(Directory.CreateTempSubdirectory("micro-ringc-").FullName, "ringc");
        using var gcc = Process.Start(new ProcessStartInfo("gcc", ["-O2", "-o", exe, source]) { RedirectStandardError = true })
            ?? throw new InvalidOperationException("gcc did not start (run ci/setup)");
        string errors = gcc.StandardError.ReadToEnd();
        if (!gcc.WaitForExit(60_000) || gcc.ExitCode != 0)
            throw new InvalidOperationException($"gcc failed on {source}: {errors}");
        return exe;
    }
}
