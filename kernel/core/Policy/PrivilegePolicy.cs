using Micro.Core.Domains;
using Micro.Core.EventChannels;
using Micro.Core.GrantTables;

namespace Micro.Core.Policy;

/// <summary>
/// DESIGN §3's table, Flask/XSM-style: which domain may do what to whom. Every check returns 0 or
/// -EPERM, and every refusal writes a log line naming the domain and the operation.
/// </summary>
public sealed class PrivilegePolicy
{
    private readonly CoreLog log;

    public PrivilegePolicy(CoreLog log)
    {
        this.log = log;
    }

    /// <summary>The privilege set of each row of the table.</summary>
    public static Privilege PrivilegesOf(DomainKind kind, ServiceRole role)
    {
        if (kind == DomainKind.Guest)
            return Privilege.None;
        switch (role)
        {
            case ServiceRole.Toolstack:
                return Privilege.ControlDomains | Privilege.SetHvmParams | Privilege.StartServices;
            case ServiceRole.XenStore:
                return Privilege.StorePages | Privilege.SeeDomainDeath;
            case ServiceRole.Console:
                return Privilege.ConsolePages;
            case ServiceRole.HvmLoader:
                return Privilege.WriteConstructingMemory;
            case ServiceRole.DeviceModel:
                return Privilege.DeviceModel;
            default:
                return Privilege.None;
        }
    }

    private int Refuse(Domain caller, string operation, int target, long detail)
    {
        log.Write(LogLevel.Refusal, operation, caller.Id, target, detail);
        return -Errno.EPERM;
    }

    private static bool Has(Domain caller, Privilege privilege) => (caller.Privileges & privilege) == privilege;

    private static bool IsTargetOf(Domain caller, Domain target) =>
        Has(caller, Privilege.DeviceModel) && caller.TargetId == target.Id;

    /// <summary>Create, destroy, pause, unpause or shut down <paramref name="target"/>.</summary>
    public int MayControl(Domain caller, Domain target, string operation)
    {
        if (Has(caller, Privilege.ControlDomains) && target != caller)
            return 0;
        return Refuse(caller, operation, target.Id, 0);
    }

    /// <summary>Create a domain of this kind: guests and hvmloader/device models by the toolstack.</summary>
    public int MayCreate(Domain caller, DomainKind kind, ServiceRole role)
    {
        if (Has(caller, Privilege.ControlDomains) && kind == DomainKind.Guest)
            return 0;
        if (Has(caller, Privilege.StartServices) && (role == ServiceRole.HvmLoader || role == ServiceRole.DeviceModel))
            return 0;
        return Refuse(caller, "domain_create", DomId.Invalid, (long)role);
    }

    public int MaySetHvmParam(Domain caller, Domain target, int index)
    {
        if (target == caller && HvmParam.GuestMaySet(index))
            return 0;
        if (target != caller && Has(caller, Privilege.SetHvmParams))
            return 0;
        return Refuse(caller, "hvm_set_param", target.Id, index);
    }

    public int MayGetHvmParam(Domain caller, Domain target, int index)
    {
        if (target == caller || Has(caller, Privilege.SetHvmParams) || IsTargetOf(caller, target))
            return 0;
        if (Has(caller, Privilege.StorePages) && (index == HvmParam.STORE_PFN || index == HvmParam.STORE_EVTCHN))
            return 0;
        if (Has(caller, Privilege.ConsolePages) && (index == HvmParam.CONSOLE_PFN || index == HvmParam.CONSOLE_EVTCHN))
            return 0;
        return Refuse(caller, "hvm_get_param", target.Id, index);
    }

    /// <summary>
    /// Map grant <paramref name="gref"/> of <paramref name="granter"/>. Guests may map what is granted to
    /// them (the grant entry decides); xenstore and console only the reserved refs; a device model only its
    /// target's grants; other services nothing.
    /// </summary>
    public int MayMapGrant(Domain caller, Domain granter, int gref)
    {
        if (caller.IsGuest || IsTargetOf(caller, granter))
            return 0;
        if (granter.IsGuest && Has(caller, Privilege.StorePages) && gref == GrantFlags.GNTTAB_RESERVED_XENSTORE)
            return 0;
        if (granter.IsGuest && Has(caller, Privilege.ConsolePages) && gref == GrantFlags.GNTTAB_RESERVED_CONSOLE)
            return 0;
        return Refuse(caller, "grant_map", granter.Id, gref);
    }

    /// <summary>Write the reserved grant entries of a domain under construction (the toolstack's job).</summary>
    public int MaySeedGrants(Domain caller, Domain target)
    {
        if (Has(caller, Privilege.ControlDomains) && target.State == DomainState.Constructing)
            return 0;
        return Refuse(caller, "grant_seed", target.Id, (long)target.State);
    }

    /// <summary>
    /// Map frame <paramref name="gfn"/> of <paramref name="target"/> without a grant: a device model its
    /// target's memory, hvmloader a domain under construction, xenstore and console exactly the page named
    /// by the target's HVM param.
    /// </summary>
    public int MayMapForeign(Domain caller, Domain target, ulong gfn)
    {
        if (target != caller && target.IsGuest)
        {
            if (IsTargetOf(caller, target))
                return 0;
            if (Has(caller, Privilege.WriteConstructingMemory) && target.State == DomainState.Constructing)
                return 0;
            // A param still 0 names no page.
            if (Has(caller, Privilege.StorePages) && gfn != 0 && gfn == target.HvmParamValue(HvmParam.STORE_PFN))
                return 0;
            if (Has(caller, Privilege.ConsolePages) && gfn != 0 && gfn == target.HvmParamValue(HvmParam.CONSOLE_PFN))
                return 0;
        }
        return Refuse(caller, "map_foreign", target.Id, (long)gfn);
    }

    /// <summary>EVTCHNOP_alloc_unbound in another domain: only the toolstack.</summary>
    public int MayAllocUnboundFor(Domain caller, Domain target)
    {
        if (target == caller || Has(caller, Privilege.ControlDomains))
            return 0;
        return Refuse(caller, "evtchn_alloc_unbound", target.Id, 0);
    }

    /// <summary>
    /// EVTCHNOP_bind_interdomain to <paramref name="remotePort"/> of <paramref name="remote"/>. Guests are
    /// limited only by the unbound port naming them, as in Xen. Services may bind to each other; to a guest,
    /// the toolstack anywhere, xenstore and console only to the port in the guest's HVM param, a device model
    /// only to its target.
    /// </summary>
    public int MayBindInterdomain(Domain caller, Domain remote, int remotePort)
    {
        if (caller.IsGuest || !remote.IsGuest || remote == caller)
            return 0;
        if (Has(caller, Privilege.ControlDomains) || IsTargetOf(caller, remote))
            return 0;
        if (Has(caller, Privilege.StorePages) && (ulong)remotePort == remote.HvmParamValue(HvmParam.STORE_EVTCHN))
            return 0;
        if (Has(caller, Privilege.ConsolePages) && (ulong)remotePort == remote.HvmParamValue(HvmParam.CONSOLE_EVTCHN))
            return 0;
        return Refuse(caller, "evtchn_bind_interdomain", remote.Id, remotePort);
    }

    /// <summary>VIRQ_DOM_EXC tells of domain death: only those who may see it.</summary>
    public int MayBindVirq(Domain caller, int virq)
    {
        if (virq != Virq.DOM_EXC || Has(caller, Privilege.SeeDomainDeath) || Has(caller, Privilege.ControlDomains))
            return 0;
        return Refuse(caller, "evtchn_bind_virq", DomId.Invalid, virq);
    }

    /// <summary>EVTCHNOP_status of another domain's port, and the state of other domains.</summary>
    public int MayInspect(Domain caller, Domain target, string operation)
    {
        if (target == caller || Has(caller, Privilege.ControlDomains) || Has(caller, Privilege.SeeDomainDeath) ||
            IsTargetOf(caller, target))
        {
            return 0;
        }
        return Refuse(caller, operation, target.Id, 0);
    }

    /// <summary>
    /// Write the memory or the boot vCPU state of <paramref name="target"/> while it is under construction:
    /// hvmloader's job, and the toolstack's domain builder's.
    /// </summary>
    public int MayBuild(Domain caller, Domain target)
    {
        if ((Has(caller, Privilege.WriteConstructingMemory) || Has(caller, Privilege.ControlDomains)) && target.IsGuest &&
            target.State == DomainState.Constructing)
        {
            return 0;
        }
        return Refuse(caller, "domain_build", target.Id, (long)target.State);
    }

    /// <summary>List every domain: the toolstack, and xenstore (which must notice deaths).</summary>
    public int MayList(Domain caller)
    {
        if (Has(caller, Privilege.ControlDomains) || Has(caller, Privilege.SeeDomainDeath))
            return 0;
        return Refuse(caller, "domain_list", caller.Id, 0);
    }

    /// <summary>Serve ioreqs of, or inject interrupts into, <paramref name="target"/>: its device model only.</summary>
    public int MayServeDevice(Domain caller, Domain target, string operation)
    {
        if (IsTargetOf(caller, target))
            return 0;
        return Refuse(caller, operation, target.Id, 0);
    }
}
