using Micro.Core.Domains;
using Micro.Core.EventChannels;
using Micro.Core.GrantTables;
using Micro.Core.Memory;

namespace Micro.Core.Services;

/// <summary>
/// Entry points for service domains' control-ring requests, decoded by the substrate. Each takes the
/// core lock, checks the caller against the privilege policy and runs the same operation the guest
/// hypercall runs. Results are 0 or a negative errno; nothing a service sends can break the core.
/// </summary>
public sealed class ServiceRequests
{
    private readonly Hypervisor core;

    internal ServiceRequests(Hypervisor core)
    {
        this.core = core;
    }

    private int Done(Domain caller, string operation, int rc, long detail)
    {
        // Policy refusals are logged by the policy; other failures here.
        if (rc < 0 && rc != -Errno.EPERM)
            core.Log.Write(LogLevel.Warning, operation, caller.Id, detail, rc);
        core.Lock.Exit();
        return rc;
    }

    public int EvtchnAllocUnbound(Domain caller, int dom, int remoteDom, out int port)
    {
        core.Lock.Enter();
        return Done(caller, "evtchn_alloc_unbound failed", core.Events.AllocUnbound(caller, dom, remoteDom, out port), dom);
    }

    public int EvtchnBindInterdomain(Domain caller, int remoteDom, int remotePort, out int localPort)
    {
        core.Lock.Enter();
        return Done(caller, "evtchn_bind_interdomain failed",
            core.Events.BindInterdomain(caller, remoteDom, remotePort, out localPort), remoteDom);
    }

    public int EvtchnBindVirq(Domain caller, int virq, out int port)
    {
        core.Lock.Enter();
        return Done(caller, "evtchn_bind_virq failed", core.Events.BindVirq(caller, virq, 0, out port), virq);
    }

    public int EvtchnSend(Domain caller, int port)
    {
        core.Lock.Enter();
        return Done(caller, "evtchn_send failed", core.Events.Send(caller, port), port);
    }

    public int EvtchnClose(Domain caller, int port)
    {
        core.Lock.Enter();
        return Done(caller, "evtchn_close failed", core.Events.Close(caller, port), port);
    }

    public int EvtchnUnmask(Domain caller, int port)
    {
        core.Lock.Enter();
        return Done(caller, "evtchn_unmask failed", core.Events.Unmask(caller, port), port);
    }

    public int EvtchnStatus(Domain caller, int dom, int port, out EventChannelStatus status)
    {
        core.Lock.Enter();
        return Done(caller, "evtchn_status failed", core.Events.Status(caller, dom, port, out status), port);
    }

    /// <summary>
    /// Maps grant <paramref name="gref"/> of <paramref name="granter"/> for a service: the substrate then
    /// hands the service frame <paramref name="gfn"/> of the granter. <paramref name="grantStatus"/> is
    /// Xen's GNTST_* code; the result is its errno (a policy refusal is -EPERM).
    /// </summary>
    public int GrantMap(Domain caller, int granter, int gref, bool readOnly, out int handle, out ulong gfn, out int grantStatus)
    {
        core.Lock.Enter();
        grantStatus = core.Grants.Map(caller, granter, gref, readOnly, hostMap: false, 0, out handle, out gfn);
        return Done(caller, "grant_map failed", GrantStatus.ToErrno(grantStatus), ((long)granter << 32) | (uint)gref);
    }

    public int GrantUnmap(Domain caller, int handle)
    {
        core.Lock.Enter();
        return Done(caller, "grant_unmap failed", GrantStatus.ToErrno(core.Grants.Unmap(caller, handle, 0)), handle);
    }

    /// <summary>The toolstack grants a new domain's console and xenstore pages to their services (reserved refs 0 and 1).</summary>
    public int GrantSeedReserved(Domain caller, int domid, int consoleDomid, uint consoleGfn, int storeDomid, uint storeGfn)
    {
        core.Lock.Enter();
        return Done(caller, "grant_seed failed",
            core.Grants.SeedReserved(caller, domid, consoleDomid, consoleGfn, storeDomid, storeGfn), domid);
    }

    /// <summary>
    /// May <paramref name="caller"/> map frame <paramref name="gfn"/> of <paramref name="target"/> without a
    /// grant? 0 when it may and the frame is the target's memory; the substrate then maps it.
    /// </summary>
    public int MapForeign(Domain caller, int target, ulong gfn)
    {
        core.Lock.Enter();
        Domain? d = core.Domains.Lookup(target);
        int rc;
        if (d == null || !d.IsAlive)
            rc = -Errno.ESRCH;
        else
        {
            rc = core.Policy.MayMapForeign(caller, d, gfn);
            if (rc == 0 && !d.Memory.HasFrame(gfn))
                rc = -Errno.EINVAL;
        }
        return Done(caller, "map_foreign failed", rc, target);
    }

    /// <summary>May <paramref name="caller"/> serve ioreqs of, and inject interrupts into, <paramref name="target"/>?</summary>
    public int MayServeDevice(Domain caller, int target)
    {
        core.Lock.Enter();
        Domain? d = core.Domains.Lookup(target);
        int rc = d == null || !d.IsAlive ? -Errno.ESRCH : core.Policy.MayServeDevice(caller, d, "serve_device");
        return Done(caller, "serve_device failed", rc, target);
    }

    /// <summary>Creates a domain; the substrate has prepared its memory and its substrate object.</summary>
    public int DomainCreate(Domain caller, in DomainConfig config, GuestMemory memory, DomainSubstrate substrate, out Domain? domain)
    {
        core.Lock.Enter();
        return Done(caller, "domain_create failed", core.DomainOps.Create(caller, config, memory, substrate, out domain), config.RequestedId);
    }

    public int DomainDestroy(Domain caller, int domid)
    {
        core.Lock.Enter();
        return Done(caller, "domain_destroy failed", core.DomainOps.Destroy(caller, domid), domid);
    }

    public int DomainPause(Domain caller, int domid)
    {
        core.Lock.Enter();
        return Done(caller, "domain_pause failed", core.DomainOps.Pause(caller, domid), domid);
    }

    /// <summary>Starts a domain under construction or resumes a paused one.</summary>
    public int DomainUnpause(Domain caller, int domid)
    {
        core.Lock.Enter();
        return Done(caller, "domain_unpause failed", core.DomainOps.Unpause(caller, domid), domid);
    }

    public int DomainShutdown(Domain caller, int domid, int reason)
    {
        core.Lock.Enter();
        return Done(caller, "domain_shutdown failed", core.DomainOps.RemoteShutdown(caller, domid, reason), domid);
    }

    public int DomainGetState(Domain caller, int domid, out DomainState state, out int shutdownReason)
    {
        core.Lock.Enter();
        return Done(caller, "domain_getinfo failed", core.DomainOps.GetState(caller, domid, out state, out shutdownReason), domid);
    }

    public int SetHvmParam(Domain caller, int domid, int index, ulong value)
    {
        core.Lock.Enter();
        return Done(caller, "hvm_set_param failed", core.DomainOps.SetHvmParam(caller, domid, index, value), index);
    }

    public int GetHvmParam(Domain caller, int domid, int index, out ulong value)
    {
        core.Lock.Enter();
        return Done(caller, "hvm_get_param failed", core.DomainOps.GetHvmParam(caller, domid, index, out value), index);
    }
}
