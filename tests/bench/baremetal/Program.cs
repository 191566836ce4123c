using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Micro.Testing;

namespace Micro.Bench.BareMetal;

/// <summary>
/// The bare-metal benchmark: `micro-bench-baremetal [RUNS]`. Boots the image under QEMU TCG with the
/// bench guest, which times VMMCALL and IOIO round trips through the hypervisor; the kernel times the
/// same loops natively (no hypervisor: a call, and an `out` QEMU handles itself) in the same run, and
/// the boot (TSC counts from QEMU's reset). Prints medians over the runs as ratios.
/// </summary>
public static partial class Program
{
    public static int Main(string[] args)
    {
        int runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;
        string script = Path.Combine(Requirements.RepoRoot(), "kernel", "baremetal", "micro-baremetal");
        using (var build = new ChildProcess("bash", [script, "build"]))
        {
            if (build.WaitForExit(TimeSpan.FromMinutes(5)) != 0)
            {
                Console.Error.WriteLine(build.Stdout + build.Stderr);
                return 1;
            }
        }

        var samples = new Dictionary<string, List<double>>();
        var wall = new List<double>();
        for (int r = 0; r < runs; r++)
        {
            var clock = Stopwatch.StartNew();
            using var qemu = new ChildProcess("bash", [script, "run", "--timeout", "120", "--cmdline", "guests=bench bench"]);
            int rc = qemu.WaitForExit(TimeSpan.FromMinutes(3));
            wall.Add(clock.Elapsed.TotalMilliseconds);
            if (rc != 0)
            {
                Console.Error.WriteLine($"run {r} failed ({rc}):\n{qemu.Stdout}{qemu.Stderr}");
                return 1;
            }
            foreach (Match m in BenchLine().Matches(qemu.Stdout))
            {
                double perOp = double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture) / double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
                if (!samples.TryGetValue(m.Groups[1].Value, out var list))
                    samples[m.Groups[1].Value] = list = [];
                list.Add(perOp);
            }
        }

        double Median(string key) => samples.TryGetValue(key, out var l) && l.Count == runs
            ? l.Order().ElementAt(l.Count / 2)
            : throw new InvalidOperationException($"the kernel printed no '{key}' measurement");
        double vmmcall = Median("guest-vmmcall"), call = Median("native-call");
        double io = Median("guest-out"), outNative = Median("native-out");
        double firstGuest = Median("boot-first-guest"), kmain = Median("boot-kmain");

        Console.WriteLine($"bare metal under QEMU TCG, median of {runs} runs (TSC ticks; each ratio within one run's clock)");
        Console.WriteLine($"  VMMCALL round trip (xen_version via the hypercall page): {vmmcall,12:F0} ticks/op");
        Console.WriteLine($"  same loop without the hypervisor (call + ret):            {call,12:F0} ticks/op   ratio {vmmcall / call,8:F1}x");
        Console.WriteLine($"  IOIO round trip (out 0x80 from the guest):                {io,12:F0} ticks/op");
        Console.WriteLine($"  same loop without the hypervisor (QEMU handles the out):  {outNative,12:F0} ticks/op   ratio {io / outNative,8:F1}x");
        Console.WriteLine($"  boot to the first guest instruction:                      {firstGuest,12:F0} ticks");
        Console.WriteLine($"  boot to kmain (QEMU and the loader, no hypervisor yet):   {kmain,12:F0} ticks      ratio {firstGuest / kmain,8:F2}x");
        Console.WriteLine($"  whole QEMU run, host wall clock: median {wall.Order().ElementAt(wall.Count / 2):F0} ms");
        return 0;
    }

    [GeneratedRegex(@"micro: bench (\S+) n=(\d+) ticks=(\d+)")]
    private static partial Regex BenchLine();
}
