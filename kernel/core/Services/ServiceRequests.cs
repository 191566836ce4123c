using Micro.Core.Domains;
using Micro.Core.EventChannels;
using Micro.Core.GrantTables;
using Micro.Core.Memory;

namespace Micro.Core.Services;

/// <summary>
/// Entry points for service domains' control-ring requests, decoded by the substrate. Each takes the
/// core lock, refuses callers that no longer exist, checks the caller against the privilege policy and
/// runs the same operation the guest hypercall runs. Results are 0 or a negative errno; nothing a
/// service sends can break the core.
/// </summary>
public sealed class ServiceRequests
{
    private readonly Hypervisor core;

    internal ServiceRequests(Hypervisor core)
    {
        this.core = core;
    }

    /// <summary>Takes the lock; -ESRCH when the caller is a stale domain object (destroyed, or its id reused).</summary>
    private int Enter(Domain caller)
    {
        core.Lock.Enter();
        return caller.IsAlive && core.Domains.Lookup(caller.Id) == caller ? 0 : -Errno.ESRCH;
    }

    /// <summary>Logs a failure (policy refusals are logged by the policy) and releases the lock.</summary>
    private int Done(Domain caller, string operation, int rc, long detail)
    {
        if (rc < 0 && rc != -Errno.EPERM)
            core.Log.Write(LogLevel.Warning, operation, caller.Id, detail, rc);
        core.Lock.Exit();
        return rc;
    }

    public int EvtchnAllocUnbound(Domain caller, int dom, int remoteDom, out int port)
    {
        port = 0;
        int rc = Enter(caller);
        if (rc == 0)
            rc = core.Events.AllocUnbound(caller, dom, remoteDom, out port);
        return Done(caller, "evtchn_alloc_unbound failed", rc, dom);
    }

    public int EvtchnBindInterdomain(Domain caller, int remoteDom, int remotePort, out int localPort)
    {
        localPort = 0;
        int rc = Enter(caller);
        if (rc == 0)
            rc = core.Events.BindInterdomain(caller, remoteDom, remotePort, out localPort);
        return Done(caller, "evtchn_bind_interdomain failed", rc, remoteDom);
    }

    public int EvtchnBindVirq(Domain caller, int virq, out int port)
    {
        port = 0;
        int rc = Enter(caller);
        if (rc == 0)
            rc = core.Events.BindVirq(caller, virq, 0, out port);
        return Done(caller, "evtchn_bind_virq failed", rc, virq);
    }

    public int EvtchnSend(Domain caller, int port)
    {
        int rc = Enter(caller);
        if (rc == 0)
            rc = core.Events.Send(caller, port);
        return Done(caller, "evtchn_send failed", rc, port);
    }

    public int EvtchnClose(Domain caller, int port)
    {
        int rc = Enter(caller);
        if (rc == 0)
            rc = core.Events.Close(caller, port);
        return Done(caller, "evtchn_close failed", rc, port);
    }

    public int EvtchnUnmask(Domain caller, int port)
    {
        int rc = Enter(caller);
        if (rc == 0)
            rc = core.Events.Unmask(caller, port);
        return Done(caller, "evtchn_unmask failed", rc, port);
    }

    public int EvtchnStatus(Domain caller, int dom, int port, out EventChannelStatus status)
    {
        status = default;
        int rc = Enter(caller);
        if (rc == 0)
            rc = core.Events.Status(caller, dom, port, out status);
        return Done(caller, "evtchn_status failed", rc, port);
    }

    /// <summary>
    /// Maps grant <paramref name="gref"/> of <paramref name="granter"/> for a service: the substrate then
    /// hands the service frame <paramref name="gfn"/> of the granter. <paramref name="grantStatus"/> is
    /// Xen's GNTST_* code; the result is its errno (a policy refusal is -EPERM).
    /// </summary>
    public int GrantMap(Domain caller, int granter, int gref, bool readOnly, out int handle, out ulong gfn, out int grantStatus)
    {
        handle = -1;
        gfn = 0;
        grantStatus = GrantStatus.general_error;
        int rc = Enter(caller);
        if (rc == 0)
        {
            grantStatus = core.Grants.Map(caller, granter, gref, readOnly, hostMap: false, 0, out handle, out gfn);
            rc = GrantStatus.ToErrno(grantStatus);
        }
        return Done(caller, "grant_map failed", rc, ((long)granter << 32) | (uint)gref);
    }

    public int GrantUnmap(Domain caller, int handle)
    {
        int rc = Enter(caller);
        if (rc == 0)
            rc = GrantStatus.ToErrno(core.Grants.Unmap(caller, handle, 0));
        return Done(caller, "grant_unmap failed", rc, handle);
    }

    /// <summary>The toolstack grants a new domain's console and xenstore pages to their services (reserved refs 0 and 1).</summary>
    public int GrantSeedReserved(Domain caller, int domid, int consoleDomid, uint consoleGfn, int storeDomid, uint storeGfn)
    {
        int rc = Enter(caller);
        if (rc == 0)
            rc = core.Grants.SeedReserved(caller, domid, consoleDomid, consoleGfn, storeDomid, storeGfn);
        return Done(caller, "grant_seed failed", rc, domid);
    }

    /// <summary>
    /// May <paramref name="caller"/> map frame <paramref name="gfn"/> of <paramref name="target"/> without a
    /// grant? 0 when it may and the frame is the target's memory; the substrate then maps it.
    /// </summary>
    public int MapForeign(Domain caller, int target, ulong gfn)
    {
        int rc = Enter(caller);
        if (rc == 0)
        {
            Domain? d = core.Domains.Lookup(target);
            if (d == null || !d.IsAlive)
            {
                rc = -Errno.ESRCH;
            }
            else
            {
                rc = core.Policy.MayMapForeign(caller, d, gfn);
                if (rc == 0 && !d.Memory.HasFrame(gfn))
                    rc = -Errno.EINVAL;
            }
        }
        return Done(caller, "map_foreign failed", rc, target);
    }

    /// <summary>May <paramref name="caller"/> serve ioreqs of, and inject interrupts into, <paramref name="target"/>?</summary>
    public int MayServeDevice(Domain caller, int target)
    {
        int rc = Enter(caller);
        if (rc == 0)
        {
            Domain? d = core.Domains.Lookup(target);
            rc = d == null || !d.IsAlive ? -Errno.ESRCH : core.Policy.MayServeDevice(caller, d, "serve_device");
        }
        return Done(caller, "serve_device failed", rc, target);
    }

    /// <summary>Creates a domain; the substrate has prepared its memory and its substrate object.</summary>
    public int DomainCreate(Domain caller, in DomainConfig config, GuestMemory memory, DomainSubstrate substrate, out Domain? domain)
    {
        domain = null;
        int rc = Enter(caller);
        if (rc == 0)
            rc = core.DomainOps.Create(caller, config, memory, substrate, out domain);
        return Done(caller, "domain_create failed", rc, config.RequestedId);
    }

    public int DomainDestroy(Domain caller, int domid)
    {
        int rc = Enter(caller);
        if (rc == 0)
            rc = core.DomainOps.Destroy(caller, domid);
        return Done(caller, "domain_destroy failed", rc, domid);
    }

    public int DomainPause(Domain caller, int domid)
    {
        int rc = Enter(caller);
        if (rc == 0)
            rc = core.DomainOps.Pause(caller, domid);
        return Done(caller, "domain_pause failed", rc, domid);
    }

    /// <summary>Starts a domain under construction or resumes a paused one.</summary>
    public int DomainUnpause(Domain caller, int domid)
    {
        int rc = Enter(caller);
        if (rc == 0)
            rc = core.DomainOps.Unpause(caller, domid);
        return Done(caller, "domain_unpause failed", rc, domid);
    }

    public int DomainShutdown(Domain caller, int domid, int reason)
    {
        int rc = Enter(caller);
        if (rc == 0)
            rc = core.DomainOps.RemoteShutdown(caller, domid, reason);
        return Done(caller, "domain_shutdown failed", rc, domid);
    }

    public int DomainGetState(Domain caller, int domid, out DomainState state, out int shutdownReason)
    {
        state = DomainState.Dying;
        shutdownReason = ShutdownReason.None;
        int rc = Enter(caller);
        if (rc == 0)
            rc = core.DomainOps.GetState(caller, domid, out state, out shutdownReason);
        return Done(caller, "domain_getinfo failed", rc, domid);
    }

    /// <summary>
    /// May <paramref name="caller"/> load <paramref name="domid"/> (write its memory, set its boot vCPU)? On 0,
    /// <paramref name="target"/> is the domain, for the substrate to load; it is still under construction.
    /// </summary>
    public int DomainBuild(Domain caller, int domid, out Domain? target)
    {
        target = null;
        int rc = Enter(caller);
        if (rc == 0)
        {
            Domain? d = core.Domains.Resolve(caller, domid);
            rc = d == null || !d.IsAlive ? -Errno.ESRCH : core.Policy.MayBuild(caller, d);
            if (rc == 0)
                target = d;
        }
        return Done(caller, "domain_build failed", rc, domid);
    }

    /// <summary>The domain <paramref name="domid"/> for a getinfo, when <paramref name="caller"/> may inspect it.</summary>
    public int DomainInfo(Domain caller, int domid, out Domain? target)
    {
        target = null;
        int rc = Enter(caller);
        if (rc == 0)
        {
            Domain? d = core.Domains.Resolve(caller, domid);
            rc = d == null ? -Errno.ESRCH : core.Policy.MayInspect(caller, d, "domain_getinfo");
            if (rc == 0)
                target = d;
        }
        return Done(caller, "domain_getinfo failed", rc, domid);
    }

    /// <summary>Fills <paramref name="ids"/> with the ids of live domains in order; <paramref name="count"/> is how many (at most its length).</summary>
    public int DomainList(Domain caller, int[] ids, out int count)
    {
        count = 0;
        int rc = Enter(caller);
        if (rc == 0)
            rc = core.Policy.MayList(caller);
        if (rc == 0)
        {
            for (int id = 0; id < core.Domains.Capacity && count < ids.Length; id++)
            {
                Domain? d = core.Domains.Lookup(id);
                if (d != null && d.IsAlive)
                    ids[count++] = id;
            }
        }
        return Done(caller, "domain_list failed", rc, 0);
    }

    public int SetHvmParam(Domain caller, int domid, int index, ulong value)
    {
        int rc = Enter(caller);
        if (rc == 0)
            rc = core.DomainOps.SetHvmParam(caller, domid, index, value);
        return Done(caller, "hvm_set_param failed", rc, index);
    }

    public int GetHvmParam(Domain caller, int domid, int index, out ulong value)
    {
        value = 0;
        int rc = Enter(caller);
        if (rc == 0)
            rc = core.DomainOps.GetHvmParam(caller, domid, index, out value);
        return Done(caller, "hvm_get_param failed", rc, index);
    }
}
