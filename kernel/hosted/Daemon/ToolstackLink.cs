using Micro.Core;
using Micro.Core.Domains;
using Micro.Kernel.Boot;
using Micro.Kernel.Core;
using Micro.Kernel.Domains;
using Micro.Kernel.Kvm;
using Micro.Kernel.Memory;
using Micro.Kernel.Supervision;
using Micro.Protocol.Messages;

namespace Micro.Kernel.Daemon;

/// <summary>
/// Serves the toolstack domain's control requests: its service-domain requests through its
/// <see cref="ServiceDomainLink"/>, and domain control itself (this handler is attached to the toolstack's
/// spec only, so only the toolstack reaches it). DomainCreate builds a paused KVM domain and hands the
/// toolstack its RAM (a memfd), as Xen lets the toolstack map a domain under construction; the toolstack
/// loads the kernel, sets the entry and the HVM params, then unpauses it.
/// Interim, until the domain-control contracts carry them: two Micro-private HVM params, the boot entry
/// (set) and the run state (get); the same numbers are in services/toolstack/Daemon/MicroHvmParam.cs.
/// </summary>
public sealed class ToolstackLink : ServiceRequestHandler, IDisposable
{
    public const uint EntryParam = 0x4D49_0001;
    public const uint StateParam = 0x4D49_0002;
    public const ulong Built = 0, Running = 1, Paused = 2, Shutdown = 3;

    public const uint MaxMemoryMiB = 2048;
    public const uint MaxVcpus = 8;

    private readonly HostedCore _core;
    private readonly KvmSystem _kvm;
    private readonly string _consoleDir;
    private readonly ServiceDomainLink _service;
    private readonly Dictionary<int, GuestDomain> _domains = [];
    private readonly object _lock = new();
    private int _pending;

    private sealed class GuestDomain(HostedDomain domain, StreamWriter console)
    {
        public HostedDomain Domain { get; } = domain;
        public StreamWriter Console { get; } = console;
        public bool EntrySet { get; set; }
        public bool Started { get; set; }
    }

    public ToolstackLink(HostedCore core, KvmSystem kvm, string consoleDir)
    {
        _core = core;
        _kvm = kvm;
        _consoleDir = consoleDir;
        Directory.CreateDirectory(consoleDir);
        _service = new ServiceDomainLink(core, ServiceRole.Toolstack);
    }

    /// <summary>How many guest domains exist (for the daemon's log and tests).</summary>
    public int DomainCount
    {
        get { lock (_lock) return _domains.Count; }
    }

    public override ServiceReply Handle(ServiceRecord service, Message request)
    {
        lock (_lock)
        {
            return request switch
            {
                DomainCreate r => Create(r),
                DomainDestroy r => With(r.Domid, d => Destroy(r.Domid, d)),
                DomainPause r => With(r.Domid, d => d.Started && !d.Domain.IsShutDown
                    ? Error(Errno.EOPNOTSUPP, $"d{r.Domid}: pausing a running domain is not supported by the hosted core yet")
                    : Ok()),
                DomainUnpause r => With(r.Domid, d => Unpause(r.Domid, d)),
                SetHvmParam { Index: EntryParam } r => With(r.Domid, d => SetEntry(r.Domid, d, r.Value)),
                GetHvmParam { Index: StateParam } r => With(r.Domid, d => new ServiceReply(new HvmParamReply(State(d)))),
                SetHvmParam r => Result(_core.Hypervisor.Services.SetHvmParam(_service.Domain, r.Domid, r.Index > int.MaxValue ? -1 : (int)r.Index, r.Value), request),
                GetHvmParam r => GetParam(r),
                _ => _service.Handle(service, request),
            };
        }
    }

    private ServiceReply Create(DomainCreate r)
    {
        if (r.MemoryMiB < 2 || r.MemoryMiB > MaxMemoryMiB)
            return Error(Errno.EINVAL, $"memory {r.MemoryMiB} MiB: the hosted core gives a domain 2 to {MaxMemoryMiB} MiB");
        if (r.Vcpus < 1 || r.Vcpus > MaxVcpus)
            return Error(Errno.EINVAL, $"{r.Vcpus} vcpus: the hosted core gives a domain 1 to {MaxVcpus}");
        // The console file is named by domid, which the core assigns during construction.
        string pending = Path.Combine(_consoleDir, $"pending-{++_pending}.log");
        var console = new StreamWriter(new FileStream(pending, FileMode.Create, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete)) { AutoFlush = true };
        HostedDomain domain;
        try
        {
            domain = new HostedDomain(_core, _kvm, (ulong)r.MemoryMiB << 20, (int)r.Vcpus, console);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException)
        {
            console.Dispose();
            File.Delete(pending);
            return Error(Errno.ENOMEM, $"creating '{r.Name}': {e.Message}");
        }
        File.Move(pending, Path.Combine(_consoleDir, $"d{domain.DomId}.log"), overwrite: true);
        _domains[domain.DomId] = new GuestDomain(domain, console);
        _core.Log.Write($"d{domain.DomId}: created for the toolstack as '{r.Name}' ({r.MemoryMiB} MiB, {r.Vcpus} vcpus), paused");
        return new ServiceReply(new DomainCreateReply((ushort)domain.DomId), [domain.Memory.Fd]);
    }

    private ServiceReply Destroy(int domid, GuestDomain d)
    {
        _domains.Remove(domid);
        d.Domain.Dispose();
        d.Console.Dispose();
        File.Delete(Path.Combine(_consoleDir, $"d{domid}.log"));
        return Ok();
    }

    private static ServiceReply Unpause(int domid, GuestDomain d)
    {
        if (d.Started)
            return Ok();
        if (!d.EntrySet)
            return Error(Errno.EINVAL, $"d{domid}: no entry point set; the toolstack loads the kernel first");
        d.Started = true;
        d.Domain.Start();
        return Ok();
    }

    private static ServiceReply SetEntry(int domid, GuestDomain d, ulong entry)
    {
        if (d.Started)
            return Error(Errno.EBUSY, $"d{domid} is already running");
        ulong ram = d.Domain.Memory.Size;
        if (entry < GuestLayout.ImageBase || entry >= GuestLayout.StorePfn(ram) * GuestLayout.PageSize)
            return Error(Errno.EINVAL, $"d{domid}: entry 0x{entry:x} is outside the image area");
        LongModeBoot.Enter(d.Domain.Vcpus[0].Kvm, entry);
        d.EntrySet = true;
        return Ok();
    }

    private static ulong State(GuestDomain d)
    {
        if (d.Domain.IsShutDown)
            return Shutdown | ((ulong)(int)(d.Domain.Reason ?? Domains.ShutdownReason.Crash) << 8);
        return d.Started ? Running : Built;
    }

    private ServiceReply GetParam(GetHvmParam r)
    {
        int rc = _core.Hypervisor.Services.GetHvmParam(_service.Domain, r.Domid, r.Index > int.MaxValue ? -1 : (int)r.Index, out ulong value);
        return rc < 0 ? Error(-rc, $"get HVM param {r.Index} of d{r.Domid}") : new ServiceReply(new HvmParamReply(value));
    }

    private ServiceReply With(ushort domid, Func<GuestDomain, ServiceReply> action) =>
        _domains.TryGetValue(domid, out var d) ? action(d) : Error(Errno.ESRCH, $"d{domid} is not a domain the toolstack created");

    private static ServiceReply Ok() => new(new OkReply());

    private static ServiceReply Result(int rc, Message request) => rc < 0 ? Error(-rc, $"{request.Type} failed") : Ok();

    private static ServiceReply Error(int errno, string reason) => new(new ErrorReply(errno, reason));

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var (domid, d) in _domains.ToList())
                Destroy(domid, d);
        }
        _service.Dispose();
    }
}
