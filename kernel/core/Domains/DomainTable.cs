using Micro.Core.GrantTables;
using Micro.Core.Memory;

namespace Micro.Core.Domains;

/// <summary>
/// Every live domain, indexed by domid in a fixed-size array. Callers hold the core lock; a lookup
/// returns null for ids that are out of range, reserved or free.
/// </summary>
public sealed unsafe class DomainTable
{
    private readonly Domain?[] slots;
    private uint nextGeneration = 1;

    public DomainTable(int capacity)
    {
        if (capacity < 1)
            capacity = 1;
        if (capacity > DomId.FirstReserved)
            capacity = DomId.FirstReserved;
        slots = new Domain?[capacity];
    }

    /// <summary>Domids are 0 ..< Capacity.</summary>
    public int Capacity => slots.Length;

    /// <summary>The domain with this id, or null.</summary>
    public Domain? Lookup(int domid)
    {
        if (domid < 0 || domid >= slots.Length)
            return null;
        return slots[domid];
    }

    /// <summary>Like <see cref="Lookup"/>, with DOMID_SELF meaning <paramref name="caller"/>.</summary>
    public Domain? Resolve(Domain caller, int domid) => domid == DomId.Self ? caller : Lookup(domid);

    public int Count
    {
        get
        {
            int count = 0;
            for (int i = 0; i < slots.Length; i++)
            {
                if (slots[i] != null)
                    count++;
            }
            return count;
        }
    }

    /// <summary>
    /// Creates a domain in the Constructing state. <paramref name="requestedId"/> -1 picks the lowest free
    /// id from 1. 0 or -EINVAL (bad kind/role/vCPUs/limits), -EEXIST, -ENOSPC, -ENOMEM.
    /// </summary>
    internal int Create(in DomainConfig config, GuestMemory memory, DomainSubstrate substrate, PageAllocator pages,
        out Domain? domain)
    {
        domain = null;
        if ((config.Kind == DomainKind.Guest) != (config.Role == ServiceRole.None) ||
            config.Vcpus < 1 || config.Vcpus > Domain.MaxVcpus ||
            config.MaxPorts < 2 || config.MaxPorts > SharedInfoLayout.MaxPorts ||
            config.MaxGrantFrames < 1 || config.MaxGrantFrames > GrantTable.MaxFramesLimit)
        {
            return -Errno.EINVAL;
        }
        int id = config.RequestedId;
        if (id == -1)
        {
            for (id = 1; id < slots.Length && slots[id] != null; id++)
            {
            }
            if (id >= slots.Length)
                return -Errno.ENOSPC;
        }
        else if (id < 0 || id >= slots.Length)
        {
            return -Errno.EINVAL;
        }
        else if (slots[id] != null)
        {
            return -Errno.EEXIST;
        }

        byte* sharedInfo = pages.AllocatePage(id);
        if (sharedInfo == null)
            return -Errno.ENOMEM;
        var grants = new GrantTable(id, config.MaxGrantFrames, pages);
        if (grants.Grow(1) < 0)
        {
            pages.FreePage(sharedInfo);
            return -Errno.ENOMEM;
        }
        domain = new Domain(id, nextGeneration++, config.Kind, config.Role, config.TargetId, config.Vcpus,
            memory, substrate, sharedInfo, grants, config.MaxPorts);
        slots[id] = domain;
        return 0;
    }

    /// <summary>Forgets a destroyed domain and frees its core-owned pages.</summary>
    internal void Remove(Domain domain, PageAllocator pages)
    {
        if (slots[domain.Id] != domain)
            return;
        slots[domain.Id] = null;
        domain.Grants.Release();
        pages.FreePage(domain.SharedInfoBacking);
    }
}
