using Micro.Core;
using Micro.Core.Domains;
using Micro.Core.Memory;
using Micro.Kernel.Core;
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

    public ServiceDomainLink(HostedCore core, ServiceRole role, int targetId = DomId.Invalid)
    {
        _core = core;
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
            case DomainDestroy r:
                return Ok(s.DomainDestroy(d, r.Domid), request);
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

    /// <summary>Ports arrive as uint32; anything past int range is no port (the core then says -EINVAL).</summary>
    private static int PortArg(uint port) => port > int.MaxValue ? -1 : (int)port;

    private static ServiceReply Port(int rc, int port, Message request) =>
        rc < 0 ? Error(rc, $"{request.Type} failed") : new(new EvtchnPortReply((uint)port));

    private static ServiceReply Ok(int rc, Message request) => rc < 0 ? Error(rc, $"{request.Type} failed") : new(new OkReply());

    private static ServiceReply Error(int rc, string reason) => new(new ErrorReply(-rc, reason));

    public void Dispose()
    {
        _core.Hypervisor.DestroyDomain(Domain);
        Kick.Dispose();
    }
}
