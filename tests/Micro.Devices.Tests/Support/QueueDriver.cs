using Micro.Devices.Host;
using Micro.Devices.Virtio;
using Micro.Protocol.Os;

namespace Micro.Devices.Tests.Support;

/// <summary>
/// Plays a virtio driver against a device in this process: brings the device up over its legacy
/// registers and hand-builds descriptors and avail entries in the guest's memfd — including the
/// malformed ones a hostile guest would write.
/// </summary>
internal sealed unsafe class QueueDriver<TDevice>(DeviceBench<TDevice> bench, ushort @base, uint queuePfn = QueueDriver<TDevice>.DefaultPfn) where TDevice : VirtioPciDevice
{
    public const uint DefaultPfn = 0x10;
    private readonly SplitQueue _queue = new(queuePfn, VirtioPciDevice.QueueSize);

    private SharedMemory Ram => bench.RamMemory!;

    public void Start(int queue = 0)
    {
        bench.Out((ushort)(@base + VirtioPciDevice.StatusReg), 0);
        bench.Out((ushort)(@base + VirtioPciDevice.StatusReg), VirtioPciDevice.StatusAcknowledge | VirtioPciDevice.StatusDriver);
        bench.Out((ushort)(@base + VirtioPciDevice.QueueSelectReg), (ulong)queue, 2);
        bench.Out((ushort)(@base + VirtioPciDevice.QueuePfnReg), queuePfn, 4);
        bench.Out((ushort)(@base + VirtioPciDevice.StatusReg), VirtioPciDevice.StatusAcknowledge | VirtioPciDevice.StatusDriver | VirtioPciDevice.StatusDriverOk);
    }

    public byte Status => (byte)bench.In((ushort)(@base + VirtioPciDevice.StatusReg));

    public void SetDesc(int index, ulong addr, uint len, ushort flags, ushort next = 0)
        => *(VirtqDesc*)(Ram.Pointer + _queue.Desc + 16UL * (ulong)index) = new VirtqDesc { Addr = addr, Len = len, Flags = flags, Next = next };

    public ushort AvailIdx
    {
        get => *(ushort*)(Ram.Pointer + _queue.Avail + 2);
        set => *(ushort*)(Ram.Pointer + _queue.Avail + 2) = value;
    }

    /// <summary>Offers the chain at <paramref name="head"/> and rings the doorbell.</summary>
    public void Submit(ushort head)
    {
        ushort idx = AvailIdx;
        *(ushort*)(Ram.Pointer + _queue.Avail + 4 + 2UL * (ulong)(idx % VirtioPciDevice.QueueSize)) = head;
        AvailIdx = (ushort)(idx + 1);
        bench.Device.Doorbell(0);
    }

    public ushort UsedIdx => *(ushort*)(Ram.Pointer + _queue.Used + 2);

    public (uint Id, uint Len) UsedEntry(int index)
    {
        byte* e = Ram.Pointer + _queue.Used + 4 + 8UL * (ulong)(index % VirtioPciDevice.QueueSize);
        return (*(uint*)e, *(uint*)(e + 4));
    }

    public Span<byte> Bytes(ulong gpa, int length) => new(Ram.Pointer + gpa, length);
}
