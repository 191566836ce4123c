using System.Runtime.InteropServices;

namespace Micro.Devices.Virtio;

/// <summary>A legacy virtio-pci device's state in the journal: negotiated features, status, ISR and each queue's ring page and progress.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct VirtioState
{
    public const int MaxQueues = 2;

    public uint GuestFeatures;
    public byte Status;
    public byte Isr;
    public ushort QueueSelect;
    public fixed uint QueuePfn[MaxQueues];
    /// <summary>The next avail entry to take per queue; requests complete in order, so it is also the used index.</summary>
    public fixed ushort LastAvail[MaxQueues];
    /// <summary>Bytes of the current chain already consumed (virtio-console transmit may stop mid-chain while the console is full).</summary>
    public fixed uint ChainOffset[MaxQueues];
    /// <summary>Bytes sent to the console so far (virtio-console).</summary>
    public ulong TxTotal;
    public ulong Completed;
}
