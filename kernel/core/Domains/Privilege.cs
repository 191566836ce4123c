namespace Micro.Core.Domains;

/// <summary>What a domain may do beyond the guest ABI (the rows of DESIGN §3's table); a bit set.</summary>
public enum Privilege : uint
{
    None = 0,
    /// <summary>Create, destroy, pause, unpause and shut down other domains.</summary>
    ControlDomains = 1 << 0,
    /// <summary>Set and read any HVM param of any domain.</summary>
    SetHvmParams = 1 << 1,
    /// <summary>Create hvmloader and device-model service domains.</summary>
    StartServices = 1 << 2,
    /// <summary>Map each guest's xenstore page and bind its xenstore event channel.</summary>
    StorePages = 1 << 3,
    /// <summary>Bind VIRQ_DOM_EXC and query which domains died.</summary>
    SeeDomainDeath = 1 << 4,
    /// <summary>Map each guest's console page and bind its console event channel.</summary>
    ConsolePages = 1 << 5,
    /// <summary>Write the memory of domains under construction.</summary>
    WriteConstructingMemory = 1 << 6,
    /// <summary>Serve ioreqs of, map memory of and inject interrupts into the target guest.</summary>
    DeviceModel = 1 << 7,
}
