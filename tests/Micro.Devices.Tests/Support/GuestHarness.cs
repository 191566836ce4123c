using Micro.Devices.Host;
using Micro.Guests.Runtime;
using Micro.Kernel.Core;
using Micro.Kernel.Domains;
using Micro.Kernel.Ioreq;
using Micro.Kernel.Kvm;
using Micro.Kernel.Supervision;
using Micro.Testing;

namespace Micro.Devices.Tests.Support;

/// <summary>
/// A hosted core on this machine's KVM with one test guest and its device-model processes, each a
/// real micro-devices process under the core's supervisor (sandboxed, restarted when killed).
/// </summary>
internal sealed class GuestHarness : IDisposable
{
    private readonly string _runDir = Directory.CreateTempSubdirectory("micro-dm-").FullName;
    private readonly List<DeviceModelLink> _links = [];
    private readonly KvmSystem _kvm;
    private readonly HostedCore _core;
    private readonly ServiceSupervisor _supervisor;
    private uint _nextUid = 60201;

    public KernelLog Log { get; } = new();
    public HostedDomain Domain { get; }

    public GuestHarness(GuestImage image, ulong ramSize = Kernel.Memory.GuestLayout.DefaultRamSize)
    {
        Requirements.Kvm();
        _kvm = new KvmSystem();
        _core = new HostedCore(Log);
        Domain = new HostedDomain(_core, _kvm, ramSize);
        Domain.Load(image.Bytes, image.LoadAddress, image.Entry);
        _supervisor = new ServiceSupervisor(_runDir, Log);
    }

    /// <summary>Starts `micro-devices KIND` for the guest and waits until it has claimed <paramref name="probePort"/>.</summary>
    public (ServiceRecord Service, DeviceModelLink Link) StartDevice(string kind, ushort probePort, DeviceModelGrants grants, params string[] options)
    {
        var link = new DeviceModelLink(Domain, grants);
        _links.Add(link);
        uint uid = _nextUid++;
        var spec = DeviceModelCommand.Spec(kind, Domain.DomId, uid, link, options) with { InitialBackoff = TimeSpan.FromMilliseconds(20) };
        var service = _supervisor.Start(spec);
        WaitUntil(() => Domain.Exits.PortIo.TryFind(probePort, out var s) && s == link.Server, TimeSpan.FromSeconds(30));
        return (service, link);
    }

    public bool Kill(ServiceRecord service) => _supervisor.Signal(service, 9);

    public ShutdownReason Run(int seconds = 60)
    {
        Domain.Start();
        return Wait(seconds);
    }

    public ShutdownReason Wait(int seconds = 60)
    {
        var reason = Domain.WaitForShutdown(TimeSpan.FromSeconds(seconds));
        Assert.True(reason is not null, $"d{Domain.DomId} did not shut down\n{Describe()}");
        return reason!.Value;
    }

    public string Describe() => $"d{Domain.DomId} ended {Domain.Reason}\nconsole:\n{Domain.Console.Text}\ncore log:\n{string.Join('\n', Log.Lines)}";

    public void WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"condition not met within {timeout.TotalSeconds}s\n{Describe()}");
            Thread.Sleep(5);
        }
    }

    public void Dispose()
    {
        _supervisor.Dispose();
        Domain.Dispose();
        foreach (var l in _links)
            l.Dispose();
        _kvm.Dispose();
        _core.Dispose();
        Directory.Delete(_runDir, recursive: true);
    }
}
