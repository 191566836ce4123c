using System.Diagnostics;
using Micro.Guests.Tests;
using Micro.Kernel.Core;
using Micro.Kernel.Domains;
using Micro.Kernel.Kvm;
using Micro.Toolstack.Management;
using Micro.Toolstack.Tests;

[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace Micro.Bench.Toolstack;

/// <summary>
/// Domain creation through the whole toolstack (CLI socket → toolstack daemon → core daemon → KVM, plus
/// xenstore keys and INTRODUCE) against a bare KVM baseline in this process (the same hosted core and the
/// same built-in guest, no toolstack, no xenstore), measured in the same run. Two figures each:
/// time from the create request to the guest's first console byte, and create+run+destroy cycles per
/// second. Prints the ratios toolstack/baseline.
/// </summary>
public static class Program
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static int Main(string[] args)
    {
        int n = args.Contains("--quick") ? 10 : 40;
        var image = GuestCatalog.All["hello"]();

        Baseline(image, 3); // warm up
        var (baseFirst, baseCycle) = Baseline(image, n);

        var columns = new List<(string Name, List<double> First, List<double> Cycle)> { ("bare KVM", baseFirst, baseCycle) };
        foreach (var (name, dir) in new[] { ("toolstack", Path.GetTempPath()), ("tmpfs", "/dev/shm") })
        {
            if (!Directory.Exists(dir))
                continue;
            using var micro = new MicroInstance(dir);
            string cfg = micro.Config("bench", "name = 'bench'\nkernel = 'builtin:hello'\nmemory = 16\non_poweroff = 'preserve'\n");
            byte[] config = File.ReadAllBytes(cfg);
            using var client = micro.Client();
            Toolstack(client, cfg, config, 3);
            var (first, cycle) = Toolstack(client, cfg, config, n);
            columns.Add((name, first, cycle));
        }

        Console.WriteLine($"domain creation, {n} cycles each (hello guest, 16 MiB, 1 vCPU); medians. toolstack: run dir (xenstored's fsynced state) in {Path.GetTempPath()}; tmpfs: the same on /dev/shm");
        Console.WriteLine($"{"",-34}" + string.Concat(columns.Select(c => $"{c.Name,12}")) + string.Concat(columns.Skip(1).Select(c => $"{c.Name + "/bare",16}")));
        Console.WriteLine($"{"create -> first console byte (ms)",-34}" + string.Concat(columns.Select(c => $"{Median(c.First),12:0.00}"))
            + string.Concat(columns.Skip(1).Select(c => $"{Median(c.First) / Median(baseFirst),15:0.0}x")));
        Console.WriteLine($"{"create+run+destroy cycles/s",-34}" + string.Concat(columns.Select(c => $"{1000 / Median(c.Cycle),12:0.0}"))
            + string.Concat(columns.Skip(1).Select(c => $"{Median(baseCycle) / Median(c.Cycle),15:0.00}x")));
        return 0;
    }

    /// <summary>The hosted core in this process: create the VM, load, run to poweroff, destroy.</summary>
    private static (List<double> First, List<double> Cycle) Baseline(Micro.Guests.Runtime.GuestImage image, int n)
    {
        var first = new List<double>();
        var cycle = new List<double>();
        using var core = new HostedCore(new KernelLog());
        using var kvm = new KvmSystem();
        for (int i = 0; i < n; i++)
        {
            var console = new FirstWrite();
            var sw = Stopwatch.StartNew();
            using (var domain = new HostedDomain(core, kvm, 16UL << 20, 1, console))
            {
                domain.Load(image.Bytes, image.LoadAddress, image.Entry);
                domain.Start();
                if (!console.Written.Wait(Timeout) || domain.WaitForShutdown(Timeout) is null)
                    throw new TimeoutException("the baseline guest did not print and power off");
                first.Add(console.At!.Value.TotalMilliseconds);
            }
            cycle.Add(sw.Elapsed.TotalMilliseconds);
        }
        return (first, cycle);
    }

    /// <summary>Through the toolstack: create (on_poweroff = preserve), watch its console log, wait for poweroff, destroy.</summary>
    private static (List<double> First, List<double> Cycle) Toolstack(ManagementClient client, string file, byte[] config, int n)
    {
        var first = new List<double>();
        var cycle = new List<double>();
        for (int i = 0; i < n; i++)
        {
            var sw = Stopwatch.StartNew();
            var reply = client.Call(new ManagementRequest(ManagementVerb.Create, File: file, Config: config));
            if (!reply.Ok)
                throw new InvalidOperationException(reply.Error);
            string log = reply.Domains[0].ConsoleLog;
            while (!File.Exists(log) || new FileInfo(log).Length == 0)
                Spin(sw);
            first.Add(sw.Elapsed.TotalMilliseconds);
            while (client.Call(new ManagementRequest(ManagementVerb.Info, "bench")).Domains[0].State != "---s--")
                Spin(sw);
            if (!client.Call(new ManagementRequest(ManagementVerb.Destroy, "bench")).Ok)
                throw new InvalidOperationException("destroy failed");
            cycle.Add(sw.Elapsed.TotalMilliseconds);
        }
        return (first, cycle);
    }

    private static void Spin(Stopwatch sw)
    {
        if (sw.Elapsed > Timeout)
            throw new TimeoutException("the guest did not print and power off");
        Thread.Sleep(1);
    }

    private static double Median(List<double> xs)
    {
        var sorted = xs.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    /// <summary>A console echo that notes when the guest's first line arrives.</summary>
    private sealed class FirstWrite : TextWriter
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        public ManualResetEventSlim Written { get; } = new();
        public TimeSpan? At { get; private set; }
        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public override void WriteLine(string? value)
        {
            if (At is null)
            {
                At = _clock.Elapsed;
                Written.Set();
            }
        }
    }
}
