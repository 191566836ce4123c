namespace Micro.Core.EventChannels;

/// <summary>
/// A domain's ports: their states and bindings. The pending and mask bits live in the domain's
/// shared_info (see <see cref="TwoLevelEvents"/>). Callers hold the core lock.
/// </summary>
public sealed class EventChannelTable
{
    private readonly EventChannel[] channels;
    private readonly int[] virqPorts;
    private readonly int vcpuCount;

    public EventChannelTable(int capacity, int vcpuCount)
    {
        channels = new EventChannel[capacity];
        channels[0].State = EventChannelState.Reserved;
        this.vcpuCount = vcpuCount;
        virqPorts = new int[vcpuCount * Virq.NR_VIRQS];
    }

    /// <summary>Ports are 0 ..< Capacity; port 0 is reserved.</summary>
    public int Capacity => channels.Length;

    public bool IsValidPort(int port) => port >= 0 && port < channels.Length;

    /// <summary>The channel at a port the caller has checked with <see cref="IsValidPort"/>.</summary>
    public ref EventChannel this[int port] => ref channels[port];

    /// <summary>The lowest free port, now unbound to <paramref name="remoteDomain"/>, or -ENOSPC.</summary>
    public int Allocate(int remoteDomain)
    {
        for (int port = 1; port < channels.Length; port++)
        {
            if (channels[port].State != EventChannelState.Free)
                continue;
            channels[port] = default;
            channels[port].State = EventChannelState.Unbound;
            channels[port].RemoteDomain = remoteDomain;
            return port;
        }
        return -Errno.ENOSPC;
    }

    /// <summary>Returns the port to the free state and forgets its virq binding.</summary>
    public void Free(int port)
    {
        ref EventChannel channel = ref channels[port];
        if (channel.State == EventChannelState.Virq)
        {
            // EVTCHNOP_bind_vcpu may have moved a global virq's notify vCPU: clear the slot by port.
            for (int vcpu = 0; vcpu < vcpuCount; vcpu++)
            {
                if (virqPorts[(channel.Virq * vcpuCount) + vcpu] == port)
                    virqPorts[(channel.Virq * vcpuCount) + vcpu] = 0;
            }
        }
        channel = default;
    }

    /// <summary>The port bound to <paramref name="virq"/> on <paramref name="vcpu"/>, or 0.</summary>
    public int VirqPort(int virq, int vcpu) => virqPorts[(virq * vcpuCount) + vcpu];

    internal void SetVirqPort(int virq, int vcpu, int port) => virqPorts[(virq * vcpuCount) + vcpu] = port;

    /// <summary>How many ports are in use (not free, not reserved).</summary>
    public int CountInUse()
    {
        int count = 0;
        for (int port = 1; port < channels.Length; port++)
        {
            if (channels[port].State != EventChannelState.Free)
                count++;
        }
        return count;
    }
}
