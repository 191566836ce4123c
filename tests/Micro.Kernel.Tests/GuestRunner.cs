using Micro.Guests.Runtime;
using Micro.Kernel.Domains;
using Micro.Kernel.Core;
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
        Core.Dispose();
    }
}
