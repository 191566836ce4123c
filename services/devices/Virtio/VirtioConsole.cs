using Micro.Devices.Host;

namespace Micro.Devices.Virtio;

/// <summary>
/// virtio-console (device type 3, one port, no multiport) over the legacy transport: queue 0 receives
/// (nothing is sent to the guest yet: the console service has no input path to device models), queue 1
/// transmits to <see cref="ConsoleOutput"/> — the same output ring and log as the UART. A chain larger
/// than the free space goes out in parts; how far it got is device state, so a crash resumes mid-chain.
/// </summary>
public sealed unsafe class VirtioConsole(ushort @base) : VirtioPciDevice(@base)
{
    public const int ReceiveQueue = 0, TransmitQueue = 1;

    private ConsoleOutput? _output;

    public override string Name => $"virtio-console@{Base:x}";
    public override int BarSize => 0x20;
    protected override int QueueCount => 2;
    protected override uint HostFeatures => 0;

    protected override void OnAttach(DeviceContext context)
    {
        base.OnAttach(context);
        _output = new ConsoleOutput(context.Output, context.Files.Count > 0 ? context.Files[0] : null, context.Log);
    }

    protected override void Committed(in VirtioState s)
    {
        base.Committed(in s);
        _output?.Publish(s.TxTotal);
    }

    protected override ulong ReadConfig(int offset, int size) => 0; // cols, rows, max_nr_ports: not offered

    protected override bool Serve(ref VirtioState s, int q, List<Segment> chain, out uint written, out string? error)
    {
        written = 0;
        error = null;
        if (q == ReceiveQueue)
            return false; // buffers wait for input that does not come yet
        ulong skip = s.ChainOffset[q];
        ulong consumed = 0;
        foreach (var seg in chain)
        {
            if (seg.Writable)
            {
                error = "a transmit buffer is device-writable";
                return false;
            }
            Ram.TryGet(seg.Addr, seg.Len, out var bytes); // checked by the walk
            foreach (byte b in bytes)
            {
                if (consumed++ < skip)
                    continue;
                if (!_output!.TryEmit(ref s.TxTotal, b))
                {
                    s.ChainOffset[q] = (uint)(consumed - 1);
                    return false; // the console is full: keep our place and retry on the next tick
                }
            }
        }
        return true;
    }
}
