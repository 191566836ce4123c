namespace Micro.Toolstack.Daemon;

/// <summary>
/// Interim, Micro-private HVM param indices (far above Xen's HVM_NR_PARAMS) that the hosted core's
/// daemon serves for the toolstack until the domain-control contracts carry them: the boot entry of a
/// domain under construction (Xen's toolstack sets it with XEN_DOMCTL_setvcpucontext) and a domain's
/// run state (Xen's getdomaininfo). The same numbers are in kernel/hosted/Daemon/ToolstackLink.cs.
/// </summary>
public static class MicroHvmParam
{
    public const uint Entry = 0x4D49_0001;
    public const uint State = 0x4D49_0002;

    /// <summary>State values: the low byte; a shut-down domain's Xen SHUTDOWN_* reason is in the next byte.</summary>
    public const ulong Built = 0, Running = 1, Paused = 2, Shutdown = 3;
}
