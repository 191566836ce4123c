using Micro.Core;
using Micro.Core.Domains;
using Micro.Core.Memory;
using Micro.Core.Services;
using Micro.Kernel.Boot;
using Micro.Kernel.Core;
using Micro.Kernel.Domains;
using Micro.Kernel.Kvm;
using Micro.Protocol.Messages;
using Micro.Protocol.Os;

namespace Micro.Kernel.Supervision;

/// <summary>
/// A service domain of the portable core whose body is a hosted process: its control requests become
/// the core's service entry points (each checked against the policy by the core), and the core's
/// upcalls for it become kicks of an eventfd. On Hello the service gets its domid, its shared_info page
/// (where the core sets its pending ports, Xen's 2-level layout) and that eventfd — nothing else.
/// </summary>
public sealed unsafe class ServiceDomainLink : ServiceRequestHandler, IDisposable
{
    private readonly HostedCore _core;

    public Domain Domain { get; }
    public EventFd Kick { get; } = EventFd.Create();

    /// <summary>Upcalls raised for this service so far.</summary>
    public long Upcalls => Interlocked.Read(ref _upcalls);
    private long _upcalls;

    private readonly KvmSystem? _kvm;
    private readonly Dictionary<int, HostedDomain> _created = [];

    /// <param name="kvm">Where DomainCreate builds guests; without it this service cannot create domains.</param>
    public ServiceDomainLink(HostedCore core, ServiceRole role, int targetId = DomId.Invalid, KvmSystem? kvm = null)
    {
        _core = core;
        _kvm = kvm;
        int rc = core.Hypervisor.CreateBootDomain(DomainConfig.Service(role, targetId), new NoGuestMemory(), new Substrate(this), out var domain);
        if (rc < 0 || domain is null)
        {
            Kick.Dispose();
            throw new InvalidOperationException($"the core refused to create a {role} service domain (errno {-rc})");
        }
        Domain = domain;
    }

    private sealed class Substrate(ServiceDomainLink link) : DomainSubstrate
    {
        public override void RaiseUpcall(int vcpu)
        {
            Interlocked.Increment(ref link._upcalls);
            link.Kick.Signal();
        }

        public override void BlockVcpu(int vcpu, ulong timeoutNs) { } // a process blocks on its own eventfd
        public override void WakeVcpu(int vcpu) => link.Kick.Signal();
        public override void ConsoleWrite(byte* data, int length) => link._core.Log.Write($"d{link.Domain.Id}: {System.Text.Encoding.ASCII.GetString(data, Math.Min(length, 1024))}");
        public override void StateChanged(DomainState state) => link._core.Log.Write($"d{link.Domain.Id}: service domain {state}");
        public override int MapForeignFrame(ulong address, Domain granter, ulong gfn, bool readOnly) => -Errno.EOPNOTSUPP;
        public override void UnmapForeignFrame(ulong address) { }
    }

    public override ServiceReply Handle(ServiceRecord service, Message request)
    {
        var s = _core.Hypervisor.Services;
        var d = Domain;
        switch (request)
        {
            case Hello:
                {
                    int fd = _core.Pages.FdOf(d.SharedInfoBacking);
                    return new(new HelloReply((ushort)d.Id, 1), fd < 0 ? null : [fd, Kick.Fd]);
                }
            case EvtchnAllocUnbound r:
                return Port(s.EvtchnAllocUnbound(d, r.Dom, r.RemoteDom, out int port), port, request);
            case EvtchnBindInterdomain r:
                return Port(s.EvtchnBindInterdomain(d, r.RemoteDom, PortArg(r.RemotePort), out int local), local, request);
            case EvtchnSend r:
                return Ok(s.EvtchnSend(d, PortArg(r.Port)), request);
            case EvtchnUnmask r:
                return Ok(s.EvtchnUnmask(d, PortArg(r.Port)), request);
            case EvtchnClose r:
                return Ok(s.EvtchnClose(d, PortArg(r.Port)), request);
            case GrantMap r:
                {
                    int rc = s.GrantMap(d, r.Domid, r.Gref > int.MaxValue ? -1 : (int)r.Gref, r.ReadOnly, out int handle, out _, out int status);
                    // Hosted: the frame itself is not handed over yet (one memfd holds all of a guest's RAM).
                    return rc < 0 ? Error(rc, $"grant map of d{r.Domid} ref {r.Gref}: GNTST {status}") : new(new GrantMapReply((uint)handle));
                }
            case GrantUnmap r:
                return Ok(s.GrantUnmap(d, r.Handle > int.MaxValue ? -1 : (int)r.Handle), request);
            // Domain control: the core's policy lets only the toolstack role through (others get EPERM).
            case DomainPause r:
                return Ok(s.DomainPause(d, r.Domid), request);
            case DomainUnpause r:
                return Ok(s.DomainUnpause(d, r.Domid), request);
            case DomainShutdown r:
                return Ok(s.DomainShutdown(d, r.Domid, (int)r.Reason), request);
            case DomainCreate r:
                return Create(r);
            case DomainWatch:
                return Watch(service, request);
            case DomainDestroy r:
                {
                    int rc = s.DomainDestroy(d, r.Domid);
                    HostedDomain? built = null;
                    lock (_created)
                    {
                        if (rc == 0 && _created.Remove(r.Domid, out built))
                            built.Dispose(); // its VM, vCPU threads and RAM; the core has already let it go
                    }
                    return Ok(rc, request);
                }
            case DomainWriteMemory r:
                return Build(s, r.Domid, request, hd =>
                    hd.Memory.TryGetSpan(r.Address, (ulong)r.Data.Length, out var span) ? Copy(r.Data, span) : -Errno.EFAULT);
            case DomainSetEntry r:
                return Build(s, r.Domid, request, hd =>
                {
                    if (!hd.Memory.Contains(r.Entry, 1))
                        return -Errno.EINVAL;
                    LongModeBoot.Enter(hd.Vcpus[0].Kvm, r.Entry);
                    return 0;
                });
            case DomainGetInfo r:
                {
                    int rc = s.DomainInfo(d, r.Domid, out var target);
                    return rc < 0 || target is null ? Error(rc, $"{request.Type} failed") : new(new DomainInfoReply(Info(target)));
                }
            case DomainList:
                {
                    int[] ids = new int[DomainListReply.MaxDomains];
                    int rc = s.DomainList(d, ids, out int count);
                    if (rc < 0)
                        return Error(rc, $"{request.Type} failed");
                    var infos = new List<DomainInfo>(count);
                    foreach (int id in ids.AsSpan(0, count))
                    {
                        if (s.DomainInfo(d, id, out var target) == 0 && target is not null)
                            infos.Add(Info(target));
                    }
                    return new(new DomainListReply([.. infos]));
                }
            case DomainRings r:
                {
                    int rc = s.GetHvmParam(d, r.Domid, HvmParam.STORE_PFN, out ulong storePfn);
                    ulong storePort = 0, consolePfn = 0, consolePort = 0;
                    if (rc == 0)
                        rc = s.GetHvmParam(d, r.Domid, HvmParam.STORE_EVTCHN, out storePort);
                    if (rc == 0)
                        rc = s.GetHvmParam(d, r.Domid, HvmParam.CONSOLE_PFN, out consolePfn);
                    if (rc == 0)
                        rc = s.GetHvmParam(d, r.Domid, HvmParam.CONSOLE_EVTCHN, out consolePort);
                    return rc < 0 ? Error(rc, $"{request.Type} failed") : new(new DomainRingsReply(storePfn, (uint)storePort, consolePfn, (uint)consolePort));
                }
            case SetHvmParam r:
                return Ok(s.SetHvmParam(d, r.Domid, r.Index > int.MaxValue ? -1 : (int)r.Index, r.Value), request);
            case GetHvmParam r:
                {
                    int rc = s.GetHvmParam(d, r.Domid, r.Index > int.MaxValue ? -1 : (int)r.Index, out ulong value);
                    return rc < 0 ? Error(rc, $"{request.Type} failed") : new(new HvmParamReply(value));
                }
            default:
                _core.Log.Write($"d{d.Id}: {request.Type} is not a request a service may make");
                return Error(-Errno.ENOSYS, $"{request.Type} is not served");
        }
    }

    /// <summary>Builds a paused guest (the core's policy decides whether this service may) and keeps it until DomainDestroy.</summary>
    private ServiceReply Create(DomainCreate r)
    {
        if (_kvm is null)
            return Error(-Errno.EOPNOTSUPP, "this service's link builds no domains");
        if (r.MemoryMiB < 2 || r.MemoryMiB > MaxMemoryMiB || r.Vcpus < 1 || r.Vcpus > Domain.MaxVcpus)
            return Error(-Errno.EINVAL, $"{r.MemoryMiB} MiB and {r.Vcpus} vCPUs: a domain has 2..{MaxMemoryMiB} MiB and 1..{Domain.MaxVcpus} vCPUs");
        HostedDomain hd;
        try
        {
            hd = new HostedDomain(_core, _kvm, (ulong)r.MemoryMiB << 20, (int)r.Vcpus, creator: Domain) { Name = r.Name };
        }
        catch (InvalidOperationException e)
        {
            return Error(-Errno.EPERM, e.Message); // the core refused; the policy logged why
        }
        lock (_created)
            _created[hd.DomId] = hd;
        return new(new DomainCreateReply((ushort)hd.DomId));
    }

    public const uint MaxMemoryMiB = 2048;

    private ServiceRecord? _watcher;

    /// <summary>True once a service on this link asked for DomainDied notifications.</summary>
    public bool Watching => Volatile.Read(ref _watcher) is not null;

    /// <summary>DomainWatch: from now on every shutdown and destruction reaches this service as DomainDied.</summary>
    private ServiceReply Watch(ServiceRecord service, Message request)
    {
        int rc = _core.Hypervisor.Services.DomainList(Domain, [], out _); // the same right: toolstack or xenstore
        if (rc < 0)
            return Error(rc, $"{request.Type} failed");
        if (Interlocked.Exchange(ref _watcher, service) is null)
            _core.DomainDied += OnDomainDied;
        return new(new OkReply());
    }

    private void OnDomainDied(int domid, DomainDeathReason reason)
    {
        if (domid != Domain.Id)
            Volatile.Read(ref _watcher)?.Channel?.Notify(new DomainDied((ushort)domid, reason));
    }

    /// <summary>Runs <paramref name="load"/> on a guest under construction once the policy allows this service to build it.</summary>
    private ServiceReply Build(ServiceRequests s, ushort domid, Message request, Func<HostedDomain, int> load)
    {
        int rc = s.DomainBuild(Domain, domid, out var target);
        if (rc == 0)
            rc = target?.Substrate is HostedDomain hd ? load(hd) : -Errno.EOPNOTSUPP;
        return Ok(rc, request);
    }

    private static int Copy(byte[] data, Span<byte> into)
    {
        data.CopyTo(into);
        return 0;
    }

    private static DomainInfo Info(Domain d)
    {
        var hosted = d.Substrate as HostedDomain;
        long cpuTicks = 0;
        foreach (var v in hosted?.Vcpus ?? [])
            cpuTicks += v.CpuTime.Ticks;
        DomainDeathReason? reason = d.State == DomainState.Shutdown && d.ShutdownReason >= 0 ? (DomainDeathReason)d.ShutdownReason : null;
        return new DomainInfo((ushort)d.Id, hosted?.Name ?? "", (DomainRunState)d.State, reason,
            hosted is null ? 0 : hosted.Memory.Size / 1024, (uint)d.VcpuCount, (ulong)cpuTicks * 100);
    }

    /// <summary>Ports arrive as uint32; anything past int range is no port (the core then says -EINVAL).</summary>
    private static int PortArg(uint port) => port > int.MaxValue ? -1 : (int)port;

    private static ServiceReply Port(int rc, int port, Message request) =>
        rc < 0 ? Error(rc, $"{request.Type} failed") : new(new EvtchnPortReply((uint)port));

    private static ServiceReply Ok(int rc, Message request) => rc < 0 ? Error(rc, $"{request.Type} failed") : new(new OkReply());

    private static ServiceReply Error(int rc, string reason) => new(new ErrorReply(-rc, reason));

    public void Dispose()
    {
        _core.DomainDied -= OnDomainDied;
        lock (_created)
        {
            foreach (var hd in _created.Values)
                hd.Dispose();
            _created.Clear();
        }
        _core.Hypervisor.DestroyDomain(Domain);
        Kick.Dispose();
    }
}
