namespace Micro.Core.Domains;

/// <summary>A guest runs the Xen HVM ABI on vCPUs; a service is a deprivileged part of the system (DESIGN §3).</summary>
public enum DomainKind
{
    Guest = 0,
    Service = 1,
}
