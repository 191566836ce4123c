using System.Diagnostics;
using Micro.Guests.Runtime;
using Micro.Guests.Tests;
using Micro.Kernel.Core;
using Micro.Kernel.Domains;
using Micro.Kernel.Ioreq;
using Micro.Kernel.Kvm;
using Micro.Kernel.Supervision;

namespace Micro.Bench.Kernel;

/// <summary>
/// Each benchmark runs the same guest image under the hosted core and under <see cref="RawExitLoop"/>
/// (or a <see cref="BareVm"/>), alternating, several rounds; the best round of each side is compared.
/// Exits per round are counted, not assumed, so the ratio is time per exit against time per exit.
/// </summary>
internal sealed class KernelBenchmarks : IDisposable
{
    private const int Rounds = 5;
    private readonly KvmSystem _kvm = new();
    private readonly KernelLog _log = new();
    private readonly HostedCore _core;

    public KernelBenchmarks()
    {
        _core = new HostedCore(_log);
        // vCPU threads inherit the creating thread's CPU set: keep guests on CPU 0 so "same CPU" and
        // "other CPU" below mean what they say.
        CpuAffinity.PinCurrentThread(0);
    }

    public void Exits()
    {
        var image = BenchGuests.PortWrites(20_000);
        Compare("port-I/O exit handled by the core", "raw KVM exit loop", 1.1, () => RunOnCore(image), () => RunBare(image));
    }

    public void Hypercall()
    {
        var image = BenchGuests.SendsToSelf(20_000);
        Compare("evtchn send to self (hypercall round trip)", "raw exit of the same hypercall", 1.2, () => RunOnCore(image), () => RunBare(image));
    }

    public void Forward()
    {
        var image = UartGuest.Build();
        Compare("port-I/O exit forwarded to a device model on the vCPU's CPU", "raw KVM exit loop", 1.6, () => RunForwarded(image, cpu: 0), () => RunBare(image));
        if (Environment.ProcessorCount > 1)
            Compare("port-I/O exit forwarded to a device model on the other CPU", "raw KVM exit loop", null, () => RunForwarded(image, cpu: 1), () => RunBare(image));
    }

    public void Domains()
    {
        var image = HelloGuest.Build();
        const int perRound = 20;
        double core = double.MaxValue, bare = double.MaxValue;
        for (int round = 0; round < Rounds; round++)
        {
            var watch = Stopwatch.StartNew();
            for (int i = 0; i < perRound; i++)
            {
                using var d = new HostedDomain(_core, _kvm);
                d.Load(image.Bytes, image.LoadAddress, image.Entry);
                d.Start();
                if (d.WaitForShutdown(TimeSpan.FromSeconds(30)) != ShutdownReason.Poweroff)
                    throw new InvalidOperationException($"d{d.DomId} did not power off: {d.Console.Text}");
            }
            core = Math.Min(core, watch.Elapsed.TotalSeconds / perRound);
            watch.Restart();
            for (int i = 0; i < perRound; i++)
            {
                using var vm = new BareVm(_kvm, image);
                vm.Run();
            }
            bare = Math.Min(bare, watch.Elapsed.TotalSeconds / perRound);
        }
        Console.WriteLine($"domains created, run to shutdown, destroyed: core {1 / core,8:0.0}/s, bare KVM VMs {1 / bare,8:0.0}/s   ratio {core / bare:0.00}x (time per domain; report)");
    }

    /// <summary>Runs <paramref name="image"/> as a domain of the core; returns (seconds, exits).</summary>
    private (double Seconds, long Exits) RunOnCore(GuestImage image)
    {
        using var d = new HostedDomain(_core, _kvm);
        d.Load(image.Bytes, image.LoadAddress, image.Entry);
        var watch = Stopwatch.StartNew();
        d.Start();
        Finish(d);
        return (watch.Elapsed.TotalSeconds, d.Vcpus[0].Exits);
    }

    private (double Seconds, long Exits) RunBare(GuestImage image)
    {
        using var vm = new BareVm(_kvm, image);
        var watch = Stopwatch.StartNew();
        long exits = vm.Run();
        return (watch.Elapsed.TotalSeconds, exits);
    }

    private (double Seconds, long Exits) RunForwarded(GuestImage image, int cpu)
    {
        string runDir = Directory.CreateTempSubdirectory("micro-bench-dm-").FullName;
        try
        {
            using var d = new HostedDomain(_core, _kvm);
            d.Load(image.Bytes, image.LoadAddress, image.Entry);
            using var link = new DeviceModelLink(d);
            using var supervisor = new ServiceSupervisor(runDir, _log);
            supervisor.Start(new ServiceSpec($"uart-d{d.DomId}", "taskset",
                ["-c", cpu.ToString(System.Globalization.CultureInfo.InvariantCulture), Peers.Dotnet, Peers.Dll("uartstub", "micro-uartstub"), "{socket}", d.DomId.ToString(System.Globalization.CultureInfo.InvariantCulture), "0"],
                60101, 60101, link));
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!d.Exits.PortIo.TryFind(0x3F8, out _))
            {
                if (DateTime.UtcNow > deadline)
                    throw new InvalidOperationException("the device model never registered port 0x3f8:\n" + string.Join('\n', _log.Lines));
                Thread.Sleep(5);
            }
            var watch = Stopwatch.StartNew();
            d.Start();
            Finish(d);
            return (watch.Elapsed.TotalSeconds, d.Vcpus[0].Exits);
        }
        finally
        {
            Directory.Delete(runDir, recursive: true);
        }
    }

    private static void Finish(HostedDomain d)
    {
        if (d.WaitForShutdown(TimeSpan.FromSeconds(60)) is not ShutdownReason.Poweroff || !d.Console.Text.Contains("SUCCESS", StringComparison.Ordinal))
            throw new InvalidOperationException($"d{d.DomId} did not finish: {d.Console.Text}");
    }

    private static void Compare(string what, string baseline, double? goal, Func<(double Seconds, long Exits)> measured, Func<(double Seconds, long Exits)> reference)
    {
        double best = double.MaxValue, bestRef = double.MaxValue;
        long exits = 0, refExits = 0;
        for (int round = 0; round < Rounds; round++)
        {
            var (s, n) = measured();
            best = Math.Min(best, s / n);
            exits = n;
            var (rs, rn) = reference();
            bestRef = Math.Min(bestRef, rs / rn);
            refExits = rn;
        }
        double ratio = best / bestRef;
        string verdict = goal is { } g ? $"goal <= {g:0.0}x: {(ratio <= g ? "met" : "NOT met")}" : "report";
        Console.WriteLine($"{what}: {best * 1e6,7:0.00} us/exit ({exits} exits); {baseline}: {bestRef * 1e6,7:0.00} us/exit ({refExits} exits)   ratio {ratio:0.00}x ({verdict})");
    }

    public void Dispose()
    {
        _core.Dispose();
        _kvm.Dispose();
    }
}
