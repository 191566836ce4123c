namespace Micro.Core.EventChannels;

/// <summary>The state of one port (Xen's ECS_*).</summary>
public enum EventChannelState : byte
{
    Free = 0,
    /// <summary>Port 0, never allocated.</summary>
    Reserved = 1,
    /// <summary>Allocated, waiting for <see cref="EventChannel.RemoteDomain"/> to bind to it.</summary>
    Unbound = 2,
    Interdomain = 3,
    Virq = 4,
    Ipi = 5,
}
