namespace Micro.Devices.Host;

/// <summary>
/// One emulated device as the host loop drives it: the ports it claims, each forwarded access, the
/// doorbells KVM signals for it, and periodic work. <see cref="PortDevice{T}"/> is the one
/// implementation; this base is what the loop needs without knowing the device's state type.
/// </summary>
public abstract class DeviceModel
{
    public abstract string Name { get; }
    public abstract IReadOnlyList<PortRange> Ports { get; }

    /// <summary>Ports whose 16-bit writes should be doorbells (ioeventfd) instead of ioreqs.</summary>
    public virtual IReadOnlyList<ushort> DoorbellPorts => [];

    /// <summary>How often <see cref="Tick"/> runs when nothing else happens (-1: never).</summary>
    public virtual int TickMilliseconds => -1;

    public abstract void Attach(DeviceContext context);

    /// <summary>
    /// Serves request <paramref name="sequence"/> of <paramref name="vcpu"/> exactly once, even across a
    /// restart; returns the value read (0 for writes) and any shutdown the access asked for (-1: none).
    /// </summary>
    public abstract ulong Access(int vcpu, ulong sequence, IoAccess access, out int shutdown);

    public virtual void Doorbell(int index)
    {
    }

    public virtual void Tick()
    {
    }
}
