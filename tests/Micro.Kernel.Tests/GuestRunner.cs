using Micro.Guests.Runtime;
using Micro.Kernel.Core;
using Micro.Kernel.Domains;
using Micro.Kernel.Kvm;

namespace Micro.Kernel.Tests;

/// <summary>Boots test guests on this machine's KVM and waits (bounded) for them to end.</summary>
internal sealed class GuestRunner : IDisposable
{
    private readonly List<HostedDomain> _domains = [];

    public KvmSystem Kvm { get; }
    public KernelLog Log { get; } = new();
    public HostedCore Core { get; }

    public GuestRunner()
    {
        Micro.Testing.Requirements.Kvm();
        Kvm = new KvmSystem();
        Core = new HostedCore(Log);
    }

    public HostedDomain Create(GuestImage image)
    {
        var d = new HostedDomain(Core, Kvm);
        _domains.Add(d);
        d.Load(image.Bytes, image.LoadAddress, image.Entry);
        return d;
    }

    /// <summary>Runs one guest to its end and returns the domain (still alive for inspection).</summary>
    public HostedDomain Run(GuestImage image)
    {
        var d = Create(image);
        d.Start();
        Wait(d);
        return d;
    }

    /// <summary>What a failed assertion should show: the guest's console and the core's log.</summary>
    public string Describe(HostedDomain d) => $"d{d.DomId} ended {d.Reason} (vCPU 0 polling: {d.CoreDomain.IsPolling(0)}, ports pending: {Pending(d)})\nconsole:\n{d.Console.Text}\ncore log:\n{string.Join('\n', Log.Lines)}";

    /// <summary>Waits (bounded) for every domain to shut down; on timeout shows all their consoles and the core's log.</summary>
    public void WaitAll(params HostedDomain[] domains)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        foreach (var d in domains)
        {
            var left = deadline - DateTime.UtcNow;
            if (d.WaitForShutdown(left > TimeSpan.Zero ? left : TimeSpan.Zero) is null)
                Assert.Fail($"d{d.DomId} did not shut down\n" + string.Join("\n", domains.Select(Describe)));
        }
    }

    private static string Pending(HostedDomain d)
    {
        var ports = new List<int>();
        for (int port = 1; port < 64; port++)
        {
            if (Micro.Core.EventChannels.TwoLevelEvents.IsPending(d.CoreDomain, port))
                ports.Add(port);
        }
        return string.Join(',', ports);
    }

    public static ShutdownReason Wait(HostedDomain d)
    {
        var reason = d.WaitForShutdown(TimeSpan.FromSeconds(30));
        Assert.True(reason is not null, $"d{d.DomId} did not shut down; console:\n{d.Console.Text}");
        return reason!.Value;
    }

    public void Dispose()
    {
        foreach (var d in _domains)
            d.Dispose();
        Kvm.Dispose();
        Core.Dispose();
    }
}
