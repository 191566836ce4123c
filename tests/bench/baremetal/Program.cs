using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Micro.Testing;

namespace Micro.Bench.BareMetal;

/// <summary>
/// The bare-metal benchmark: `micro-bench-baremetal [RUNS]`. Boots the image under QEMU TCG with the
/// bench guest, which times VMMCALL and IOIO round trips through the hypervisor; the kernel times the
/// same loops natively (no hypervisor: a call, and an `out` QEMU handles itself) in the same run, splits
/// every exit at the world switches (time in this hypervisor, time in TCG's VMRUN/#VMEXIT and the
/// guest), and stamps the boot (TSC counts from QEMU's start). Prints medians over the runs; every
/// ratio is taken within one run, then the median of those is printed.
/// </summary>
public static partial class Program
{
    public static int Main(string[] args)
    {
        int runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
        if (runs < 1)
        {
            Console.Error.WriteLine("usage: micro-bench-baremetal [RUNS >= 1]");
            return 2;
        }
        string script = Path.Combine(Requirements.RepoRoot(), "kernel", "baremetal", "micro-baremetal");
        string image = Directory.CreateTempSubdirectory("micro-bench-baremetal-").FullName;
        try
        {
            return Run(script, image, runs);
        }
        finally
        {
            Directory.Delete(image, recursive: true);
        }
    }

    private static int Run(string script, string image, int runs)
    {
        // This run's own copy of the image, which no build started meanwhile replaces.
        using (var build = new ChildProcess("bash", [script, "build", "--copy-to", image]))
        {
            if (build.WaitForExit(TimeSpan.FromMinutes(10)) != 0)
            {
                Console.Error.WriteLine(build.Stdout + build.Stderr);
                return 1;
            }
        }

        var samples = new List<Dictionary<string, double>>();
        var wall = new List<double>();
        for (int r = 0; r < runs; r++)
        {
            var clock = Stopwatch.StartNew();
            using var qemu = new ChildProcess("bash", [script, "run", "--image", image, "--timeout", "300", "--cmdline", "guests=bench bench"]);
            int rc = qemu.WaitForExit(TimeSpan.FromMinutes(6));
            wall.Add(clock.Elapsed.TotalMilliseconds);
            if (rc != 0)
            {
                Console.Error.WriteLine($"run {r} failed ({rc}):\n{qemu.Stdout}{qemu.Stderr}");
                return 1;
            }
            var run = new Dictionary<string, double>();
            foreach (Match m in BenchLine().Matches(qemu.Stdout))
                run[m.Groups[1].Value] = double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture) / double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
            foreach (string key in Keys)
            {
                if (!run.ContainsKey(key))
                {
                    Console.Error.WriteLine($"run {r}: the kernel printed no '{key}' measurement\n{qemu.Stdout}");
                    return 1;
                }
            }
            samples.Add(run);
        }

        double Median(Func<Dictionary<string, double>, double> f) => samples.Select(f).Order().ElementAt(samples.Count / 2);
        double M(string key) => Median(s => s[key]);
        double R(string a, string b) => Median(s => s[a] / s[b]);
        double mhz = HostTscMhz();
        string Us(double ticks) => mhz <= 0 ? "" : ticks / mhz < 10_000 ? $"  (~{ticks / mhz:F1} us)" : $"  (~{ticks / mhz / 1000:F0} ms)";

        Console.WriteLine($"bare metal under QEMU TCG (-cpu max), median of {runs} runs; TSC ticks of the emulated CPU, ratios within each run");
        Console.WriteLine($"  VMMCALL round trip (xen_version via the hypercall page) {M("guest-vmmcall"),14:F0} ticks/op{Us(M("guest-vmmcall"))}");
        Console.WriteLine($"    same loop without the hypervisor (call; ret)           {M("native-call"),14:F0} ticks/op   ratio {R("guest-vmmcall", "native-call"),8:F0}x");
        Console.WriteLine($"  IOIO round trip (out 0x80 from the guest)               {M("guest-out"),14:F0} ticks/op{Us(M("guest-out"))}");
        Console.WriteLine($"    same loop without the hypervisor (QEMU does the out)   {M("native-out"),14:F0} ticks/op   ratio {R("guest-out", "native-out"),8:F0}x");
        Console.WriteLine($"  one exit, split at the world switches:");
        Console.WriteLine($"    in this hypervisor (decode, core dispatch, scheduling) {M("exit-in-hypervisor"),14:F0} ticks{Us(M("exit-in-hypervisor"))}   share {Median(s => s["exit-in-hypervisor"] / (s["exit-in-hypervisor"] + s["exit-in-guest"])) * 100,5:F1}%");
        Console.WriteLine($"    in TCG's VMRUN/#VMEXIT and the guest                   {M("exit-in-guest"),14:F0} ticks{Us(M("exit-in-guest"))}   share {Median(s => s["exit-in-guest"] / (s["exit-in-hypervisor"] + s["exit-in-guest"])) * 100,5:F1}%");
        Console.WriteLine($"  boot to the first guest instruction                     {M("boot-first-guest"),14:F0} ticks{Us(M("boot-first-guest"))}");
        Console.WriteLine($"    boot to kmain (QEMU, firmware, loader; no hypervisor)  {M("boot-kmain"),14:F0} ticks   ratio {R("boot-first-guest", "boot-kmain"),8:F2}x");
        Console.WriteLine($"  whole QEMU run, host wall clock: median {wall.Order().ElementAt(wall.Count / 2):F0} ms");
        if (mhz > 0)
            Console.WriteLine($"  (us, ms: TCG's TSC counts host TSC ticks; converted at the host's {mhz:F0} MHz from /proc/cpuinfo)");
        return 0;
    }

    private static readonly string[] Keys =
        ["guest-vmmcall", "native-call", "guest-out", "native-out", "exit-in-hypervisor", "exit-in-guest", "boot-first-guest", "boot-kmain"];

    /// <summary>The host CPU's clock as /proc/cpuinfo states it, or 0 when it does not.</summary>
    private static double HostTscMhz()
    {
        if (!File.Exists("/proc/cpuinfo"))
            return 0;
        foreach (string line in File.ReadLines("/proc/cpuinfo"))
        {
            Match m = CpuMhzLine().Match(line);
            if (m.Success)
                return double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        }
        return 0;
    }

    [GeneratedRegex(@"micro: bench (\S+) n=(\d+) ticks=(\d+)")]
    private static partial Regex BenchLine();

    [GeneratedRegex(@"^cpu MHz\s*:\s*([0-9.]+)")]
    private static partial Regex CpuMhzLine();
}
