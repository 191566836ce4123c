using Micro.Core.EventChannels;
using Micro.Core.GrantTables;
using Micro.Core.Memory;
using Micro.Core.Policy;

namespace Micro.Core.Domains;

/// <summary>
/// Domain lifecycle, HVM params and the placement of shared pages, shared by guest hypercalls and
/// service requests. Each returns 0 or a negative errno. Callers hold the core lock.
/// </summary>
public sealed unsafe class DomainOps
{
    private readonly DomainTable domains;
    private readonly PrivilegePolicy policy;
    private readonly EventChannelOps events;
    private readonly GrantOps grants;
    private readonly PageAllocator pages;

    public DomainOps(DomainTable domains, PrivilegePolicy policy, EventChannelOps events, GrantOps grants, PageAllocator pages)
    {
        this.domains = domains;
        this.policy = policy;
        this.events = events;
        this.grants = grants;
        this.pages = pages;
    }

    /// <summary>
    /// Creates a domain on behalf of <paramref name="caller"/> (null: the core itself, at boot). A device
    /// model's target must be a live guest.
    /// </summary>
    public int Create(Domain? caller, in DomainConfig config, GuestMemory memory, DomainSubstrate substrate, out Domain? domain)
    {
        domain = null;
        if (caller != null)
        {
            int rc = policy.MayCreate(caller, config.Kind, config.Role);
            if (rc < 0)
                return rc;
        }
        if (config.Role == ServiceRole.DeviceModel)
        {
            Domain? target = domains.Lookup(config.TargetId);
            if (target == null || !target.IsGuest || !target.IsAlive)
                return -Errno.ESRCH;
        }
        else if (config.TargetId != DomId.Invalid)
        {
            return -Errno.EINVAL;
        }
        return domains.Create(config, memory, substrate, pages, out domain);
    }

    private Domain? Target(Domain caller, int domid) => domains.Resolve(caller, domid) is Domain d && d.IsAlive ? d : null;

    /// <summary>Starts a domain under construction, or resumes a paused one.</summary>
    public int Unpause(Domain caller, int domid)
    {
        Domain? d = Target(caller, domid);
        if (d == null)
            return -Errno.ESRCH;
        int rc = policy.MayControl(caller, d, "domain_unpause");
        if (rc < 0)
            return rc;
        if (d.State != DomainState.Constructing && d.State != DomainState.Paused)
            return -Errno.EINVAL;
        SetState(d, DomainState.Running);
        return 0;
    }

    public int Pause(Domain caller, int domid)
    {
        Domain? d = Target(caller, domid);
        if (d == null)
            return -Errno.ESRCH;
        int rc = policy.MayControl(caller, d, "domain_pause");
        if (rc < 0)
            return rc;
        if (d.State != DomainState.Running)
            return -Errno.EINVAL;
        SetState(d, DomainState.Paused);
        return 0;
    }

    /// <summary>Shuts down another domain (SCHEDOP_remote_shutdown, the toolstack's job).</summary>
    public int RemoteShutdown(Domain caller, int domid, int reason)
    {
        Domain? d = Target(caller, domid);
        if (d == null)
            return -Errno.ESRCH;
        int rc = policy.MayControl(caller, d, "domain_shutdown");
        if (rc < 0)
            return rc;
        return Shutdown(d, reason);
    }

    /// <summary>SCHEDOP_shutdown: the domain stops and the domains watching deaths get VIRQ_DOM_EXC.</summary>
    public int Shutdown(Domain d, int reason)
    {
        if (reason < 0 || reason > ShutdownReason.Max)
            return -Errno.EINVAL;
        if (d.State == DomainState.Shutdown)
            return 0;
        d.ShutdownReason = reason;
        SetState(d, DomainState.Shutdown);
        events.SendGlobalVirq(Virq.DOM_EXC);
        return 0;
    }

    /// <summary>
    /// Destroys a domain: closes its ports (peers see them unbound), drops its grant mappings, frees its
    /// core pages, forgets it, and tells the death watchers.
    /// </summary>
    public int Destroy(Domain caller, int domid)
    {
        Domain? d = Target(caller, domid);
        if (d == null)
            return -Errno.ESRCH;
        int rc = policy.MayControl(caller, d, "domain_destroy");
        if (rc < 0)
            return rc;
        DestroyNow(d);
        return 0;
    }

    /// <summary>Destroys without a policy check: for the core's own supervision (a service that died).</summary>
    public void DestroyNow(Domain d)
    {
        if (!d.IsAlive)
            return;
        SetState(d, DomainState.Dying);
        events.CloseAll(d);
        grants.UnmapAll(d);
        domains.Remove(d, pages);
        events.SendGlobalVirq(Virq.DOM_EXC);
    }

    private static void SetState(Domain d, DomainState state)
    {
        d.State = state;
        d.Substrate.StateChanged(state);
    }

    /// <summary>The state and shutdown reason of another domain (xenstore learns of deaths this way).</summary>
    public int GetState(Domain caller, int domid, out DomainState state, out int shutdownReason)
    {
        state = DomainState.Dying;
        shutdownReason = ShutdownReason.None;
        Domain? d = Target(caller, domid);
        if (d == null)
            return -Errno.ESRCH;
        int rc = policy.MayInspect(caller, d, "domain_getinfo");
        if (rc < 0)
            return rc;
        state = d.State;
        shutdownReason = d.ShutdownReason;
        return 0;
    }

    /// <summary>HVMOP_set_param.</summary>
    public int SetHvmParam(Domain caller, int domid, int index, ulong value)
    {
        Domain? d = Target(caller, domid);
        if (d == null)
            return -Errno.ESRCH;
        if (index < 0 || index >= HvmParam.NR_PARAMS)
            return -Errno.EINVAL;
        int rc = policy.MaySetHvmParam(caller, d, index);
        if (rc < 0)
            return rc;
        d.SetHvmParamValue(index, value);
        return 0;
    }

    /// <summary>HVMOP_get_param.</summary>
    public int GetHvmParam(Domain caller, int domid, int index, out ulong value)
    {
        value = 0;
        Domain? d = Target(caller, domid);
        if (d == null)
            return -Errno.ESRCH;
        if (index < 0 || index >= HvmParam.NR_PARAMS)
            return -Errno.EINVAL;
        int rc = policy.MayGetHvmParam(caller, d, index);
        if (rc < 0)
            return rc;
        value = d.HvmParamValue(index);
        return 0;
    }

    /// <summary>
    /// XENMEM_add_to_physmap with XENMAPSPACE_shared_info: shared_info (contents and all) moves to guest
    /// frame <paramref name="gfn"/>, where the guest reads and writes it from now on.
    /// </summary>
    public int PlaceSharedInfo(Domain d, ulong gfn)
    {
        if (gfn >= 1UL << 52)
            return -Errno.EINVAL;
        byte* page = d.Memory.Translate(gfn << 12, PageAllocator.PageSize);
        if (page == null)
            return -Errno.EINVAL;
        if (page != d.SharedInfo)
            GuestMemory.Copy(d.SharedInfo, page, PageAllocator.PageSize);
        d.SharedInfo = page;
        d.SharedInfoGfn = gfn;
        return 0;
    }

    /// <summary>VCPUOP_register_vcpu_info: vcpu_info of <paramref name="vcpu"/> moves into guest memory.</summary>
    public int RegisterVcpuInfo(Domain d, int vcpu, ulong gfn, uint offset)
    {
        if (!d.IsValidVcpu(vcpu))
            return -Errno.ENOENT;
        if (d.VcpuInfoRegistered(vcpu))
            return -Errno.EINVAL;
        // vcpu_info must fit in the page and keep the 8-byte alignment its atomic words need.
        if (gfn >= 1UL << 52 || offset > PageAllocator.PageSize - SharedInfoLayout.VcpuInfoSize || (offset & 7) != 0)
            return -Errno.EINVAL;
        byte* location = d.Memory.Translate((gfn << 12) + offset, SharedInfoLayout.VcpuInfoSize);
        if (location == null)
            return -Errno.EINVAL;
        GuestMemory.Copy(d.VcpuInfo(vcpu), location, SharedInfoLayout.VcpuInfoSize);
        d.RegisterVcpuInfo(vcpu, location);
        // As Xen does after moving vcpu_info: make the guest look for events it may have missed.
        *(ulong*)(location + SharedInfoLayout.PendingSel) = ulong.MaxValue;
        TwoLevelEvents.MarkEventsPending(d, vcpu);
        return 0;
    }

    /// <summary>HVMOP_set_evtchn_upcall_vector.</summary>
    public int SetUpcallVector(Domain d, int vcpu, int vector)
    {
        if (!d.IsValidVcpu(vcpu))
            return -Errno.ENOENT;
        if (vector < 0x10 || vector > 0xFF)
            return -Errno.EINVAL;
        d.SetUpcallVector(vcpu, (byte)vector);
        return 0;
    }
}
