namespace Micro.Core.Domains;

/// <summary>What a new domain looks like.</summary>
public struct DomainConfig
{
    /// <summary>-1: the lowest free id from 1.</summary>
    public int RequestedId;
    public DomainKind Kind;
    public ServiceRole Role;
    /// <summary>A device model's guest; <see cref="DomId.Invalid"/> otherwise.</summary>
    public int TargetId;
    public int Vcpus;
    /// <summary>Event-channel ports (2 ..= 4096).</summary>
    public int MaxPorts;
    /// <summary>Grant-table frames of 512 v1 entries each.</summary>
    public int MaxGrantFrames;

    public static DomainConfig Guest(int vcpus) => new()
    {
        RequestedId = -1,
        Kind = DomainKind.Guest,
        Role = ServiceRole.None,
        TargetId = DomId.Invalid,
        Vcpus = vcpus,
        MaxPorts = 1024,
        MaxGrantFrames = 4,
    };

    public static DomainConfig Service(ServiceRole role, int targetId = DomId.Invalid) => new()
    {
        RequestedId = -1,
        Kind = DomainKind.Service,
        Role = role,
        TargetId = targetId,
        Vcpus = 1,
        MaxPorts = 1024,
        MaxGrantFrames = 1,
    };
}
