using Micro.Guests.Runtime;
using Micro.Kernel.Domains;
using Micro.Kernel.Hypercalls;
using Micro.Kernel.Kvm;

namespace Micro.Kernel.Tests;

/// <summary>Boots test guests on this machine's KVM and waits (bounded) for them to end.</summary>
internal sealed class GuestRunner : IDisposable
{
    private readonly List<HostedDomain> _domains = [];
    private int _nextDomid = 1;

    public KvmSystem Kvm { get; }
    public CoreLog Log { get; } = new();

    public GuestRunner()
    {
        Micro.Testing.Requirements.Kvm();
        Kvm = new KvmSystem();
    }

    public HostedDomain Create(GuestImage image, HypercallHandler? hypercalls = null)
    {
        var d = new HostedDomain(Kvm, _nextDomid++, hypercalls ?? new GuestHypercalls(), Log);
        _domains.Add(d);
        d.Load(image.Bytes, image.LoadAddress, image.Entry);
        return d;
    }

    /// <summary>Runs one guest to its end and returns the domain (still alive for inspection).</summary>
    public HostedDomain Run(GuestImage image, HypercallHandler? hypercalls = null)
    {
        var d = Create(image, hypercalls);
        d.Start();
        Wait(d);
        return d;
    }

    /// <summary>What a failed assertion should show: the guest's console and the core's log.</summary>
    public string Describe(HostedDomain d) => $"d{d.DomId} ended {d.Reason}\nconsole:\n{d.Console.Text}\ncore log:\n{string.Join('\n', Log.Lines)}";

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
    }
}
