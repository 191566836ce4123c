using Micro.Core.Domains;
using Micro.Core.EventChannels;
using Micro.Core.GrantTables;
using Micro.Core.Hypercalls;
using Micro.Core.Memory;
using Micro.Core.Policy;
using Micro.Core.Services;

namespace Micro.Core;

/// <summary>
/// The portable core, wired together: the domain table, the policy and the operations, entered from
/// guests through <see cref="Hypercalls"/> and from service domains through <see cref="Services"/>.
/// Both entries take the core lock; the operation classes assume it is held.
/// </summary>
public sealed class Hypervisor
{
    public Hypervisor(CoreLog log, CoreLock coreLock, PageAllocator pages, int maxDomains = 256)
    {
        Log = log;
        Lock = coreLock;
        Pages = pages;
        Domains = new DomainTable(maxDomains);
        Policy = new PrivilegePolicy(log);
        Events = new EventChannelOps(Domains, Policy);
        Grants = new GrantOps(Domains, Policy);
        DomainOps = new DomainOps(Domains, Policy, Events, Grants, pages);
        Hypercalls = new HypercallDispatcher(this);
        Services = new ServiceRequests(this);
    }

    public CoreLog Log { get; }

    public CoreLock Lock { get; }

    public PageAllocator Pages { get; }

    public DomainTable Domains { get; }

    public PrivilegePolicy Policy { get; }

    public EventChannelOps Events { get; }

    public GrantOps Grants { get; }

    public DomainOps DomainOps { get; }

    public HypercallDispatcher Hypercalls { get; }

    public ServiceRequests Services { get; }

    /// <summary>Creates a domain with no policy check: the core's own boot-time services and guests.</summary>
    public int CreateBootDomain(in DomainConfig config, GuestMemory memory, DomainSubstrate substrate, out Domain? domain)
    {
        Lock.Enter();
        int rc = DomainOps.Create(null, config, memory, substrate, out domain);
        Lock.Exit();
        return rc;
    }

    /// <summary>Destroys a domain with no policy check (the supervisor's decision, or shutdown of the core).</summary>
    public void DestroyDomain(Domain domain)
    {
        Lock.Enter();
        DomainOps.DestroyNow(domain);
        Lock.Exit();
    }

    /// <summary>Raises a virq on a domain (the substrate's timer, for example).</summary>
    public void SendVirq(Domain domain, int virq, int vcpu)
    {
        Lock.Enter();
        Events.SendVirq(domain, virq, vcpu);
        Lock.Exit();
    }

    /// <summary>Looks up a domain under the lock.</summary>
    public Domain? Lookup(int domid)
    {
        Lock.Enter();
        Domain? d = Domains.Lookup(domid);
        Lock.Exit();
        return d;
    }
}
