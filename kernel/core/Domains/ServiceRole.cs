namespace Micro.Core.Domains;

/// <summary>Which service a service domain is; the privilege policy keys on it (DESIGN §3).</summary>
public enum ServiceRole
{
    /// <summary>Guests have no role.</summary>
    None = 0,
    Toolstack = 1,
    XenStore = 2,
    Console = 3,
    HvmLoader = 4,
    /// <summary>A device model serves exactly one guest, its target.</summary>
    DeviceModel = 5,
}
