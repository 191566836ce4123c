using Micro.Devices.Host;

namespace Micro.Devices.Virtio;

/// <summary>
/// The legacy virtio-pci transport (virtio 0.9.5 / 1.x §4.1.4.8) over an I/O BAR of
/// <see cref="BarSize"/> ports at <see cref="Base"/>: host features (0x00), guest features (0x04),
/// queue page (0x08), queue size (0x0C), queue select (0x0E), queue notify (0x10, a KVM ioeventfd
/// doorbell), status (0x12), ISR (0x13, cleared by reading) and the device's config from 0x14.
/// Subclasses serve one request chain at a time; each completed chain is one journal step, and the
/// used index is published from the committed state, so a restarted model neither loses nor repeats
/// a completion. A malformed queue sets DEVICE_NEEDS_RESET and stops the device until the driver resets it.
/// </summary>
public abstract unsafe class VirtioPciDevice(ushort @base) : PortDevice<VirtioState>
{
    public const int HostFeaturesReg = 0x00, GuestFeaturesReg = 0x04, QueuePfnReg = 0x08, QueueSizeReg = 0x0C, QueueSelectReg = 0x0E, QueueNotifyReg = 0x10, StatusReg = 0x12, IsrReg = 0x13, ConfigReg = 0x14;
    public const byte StatusAcknowledge = 1, StatusDriver = 2, StatusDriverOk = 4, StatusFeaturesOk = 8, StatusNeedsReset = 0x40, StatusFailed = 0x80;
    public const ushort QueueSize = 128;

    private readonly List<Segment> _segments = [];

    public ushort Base { get; } = @base;
    public abstract int BarSize { get; }
    protected abstract int QueueCount { get; }
    protected abstract uint HostFeatures { get; }
    protected GuestRam Ram => Context.Ram ?? throw new InvalidOperationException($"{Name} was not granted guest memory");

    public override IReadOnlyList<PortRange> Ports => [new(Base, (ushort)(Base + BarSize - 1))];
    public override IReadOnlyList<ushort> DoorbellPorts => [(ushort)(Base + QueueNotifyReg)];
    public override int TickMilliseconds => 20; // a safety net: doorbells normally arrive through the ioeventfd

    /// <summary>Whether the driver left the device broken (needs reset) — for tests and logs.</summary>
    public bool IsBroken => (State.Status & StatusNeedsReset) != 0;

    protected override void OnAttach(DeviceContext context)
    {
        if (context.Ram is null)
            throw new ArgumentException($"{Name} needs the guest's memory granted", nameof(context));
    }

    protected override void PowerOn(ref VirtioState s) => s = default;

    protected override void Committed(in VirtioState s)
    {
        for (int q = 0; q < QueueCount; q++)
        {
            if (s.QueuePfn[q] != 0 && (s.Status & StatusNeedsReset) == 0)
                new SplitQueue(s.QueuePfn[q], QueueSize).PublishUsed(Ram, s.LastAvail[q]);
        }
    }

    protected override ulong Read(ref VirtioState s, IoAccess access)
    {
        int offset = access.Port - Base;
        switch (offset)
        {
            case HostFeaturesReg:
                return HostFeatures;
            case GuestFeaturesReg:
                return s.GuestFeatures;
            case QueuePfnReg:
                return s.QueueSelect < QueueCount ? s.QueuePfn[s.QueueSelect] : 0UL;
            case QueueSizeReg:
                return s.QueueSelect < QueueCount ? QueueSize : 0UL;
            case QueueSelectReg:
                return s.QueueSelect;
            case StatusReg:
                return s.Status;
            case IsrReg:
                byte isr = s.Isr;
                s.Isr = 0;
                return isr;
            default:
                return offset >= ConfigReg ? ReadConfig(offset - ConfigReg, access.Size) : access.Ones;
        }
    }

    protected override void Write(ref VirtioState s, IoAccess access, ref int shutdown)
    {
        switch (access.Port - Base)
        {
            case GuestFeaturesReg:
                s.GuestFeatures = (uint)access.Value & HostFeatures;
                break;
            case QueuePfnReg:
                SetQueue(ref s, (uint)access.Value);
                break;
            case QueueSelectReg:
                s.QueueSelect = (ushort)access.Value;
                break;
            case StatusReg:
                if ((byte)access.Value == 0)
                    s = default; // reset: the driver starts over (and may clear a needs-reset)
                else
                    s.Status = (byte)((byte)access.Value | (s.Status & StatusNeedsReset));
                break;
            default:
                break; // queue notify comes as a doorbell (and a ioreq-forwarded notify is caught by the tick)
        }
    }

    private void SetQueue(ref VirtioState s, uint pfn)
    {
        if (s.QueueSelect >= QueueCount)
            return;
        if (pfn != 0 && !new SplitQueue(pfn, QueueSize).FitsIn(Ram))
        {
            Break(ref s, $"queue {s.QueueSelect} at page {pfn:x} does not fit in guest memory");
            return;
        }
        s.QueuePfn[s.QueueSelect] = pfn;
        s.LastAvail[s.QueueSelect] = 0;
        s.ChainOffset[s.QueueSelect] = 0;
    }

    protected void Break(ref VirtioState s, string reason)
    {
        if ((s.Status & StatusNeedsReset) == 0)
            Context.Log($"{Name}: device needs reset: {reason}");
        s.Status |= StatusNeedsReset;
    }

    public override void Doorbell(int index) => ProcessQueues();

    public override void Tick() => ProcessQueues();

    /// <summary>Serves every available chain of every live queue, one journal step per chain.</summary>
    public void ProcessQueues()
    {
        for (int q = 0; q < QueueCount; q++)
        {
            bool more = true;
            while (more)
                Step((ref VirtioState s) => more = ProcessOne(ref s, q));
        }
    }

    /// <summary>Takes one chain of queue <paramref name="q"/> if there is one; true when it changed the state.</summary>
    private bool ProcessOne(ref VirtioState s, int q)
    {
        if (s.QueuePfn[q] == 0 || (s.Status & StatusDriverOk) == 0 || (s.Status & StatusNeedsReset) != 0)
            return false;
        var queue = new SplitQueue(s.QueuePfn[q], QueueSize);
        ushort avail = queue.AvailIndex(Ram);
        ushort pending = (ushort)(avail - s.LastAvail[q]);
        if (pending == 0)
            return false;
        if (pending > QueueSize)
        {
            Break(ref s, $"queue {q}: avail index {avail} is {pending} ahead of {s.LastAvail[q]}, more than the queue holds");
            return true;
        }
        ushort head = queue.AvailEntry(Ram, s.LastAvail[q]);
        string? error = queue.Walk(Ram, head, _segments, out _);
        if (error is not null)
        {
            Break(ref s, $"queue {q}: {error}");
            return true;
        }
        uint offsetBefore = s.ChainOffset[q];
        if (!Serve(ref s, q, _segments, out uint written, out error))
        {
            if (error is not null)
                Break(ref s, $"queue {q}: {error}");
            // No error: wait (e.g. the console is full) and retry later, keeping any part already done.
            return error is not null || s.ChainOffset[q] != offsetBefore;
        }
        queue.WriteUsed(Ram, s.LastAvail[q], head, written);
        s.LastAvail[q]++;
        s.ChainOffset[q] = 0;
        s.Isr |= 1;
        s.Completed++;
        return true;
    }

    /// <summary>
    /// Serves one checked chain of queue <paramref name="q"/>: true when done (with the bytes written to
    /// the guest); false with an error to break the device, or false with none to retry later. Must be
    /// repeatable: after a crash the same chain is served again.
    /// </summary>
    protected abstract bool Serve(ref VirtioState s, int q, List<Segment> chain, out uint written, out string? error);

    protected abstract ulong ReadConfig(int offset, int size);
}
