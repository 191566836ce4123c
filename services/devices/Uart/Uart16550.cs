using Micro.Devices.Host;

namespace Micro.Devices.Uart;

/// <summary>
/// A 16550A UART at eight ports from <see cref="Base"/> (0x3f8 is COM1): THR/RBR and DLL (DLAB),
/// IER and DLM (DLAB), IIR/FCR, LCR, MCR, LSR, MSR, SCR; 16-byte receive and transmit FIFOs; line
/// status and interrupt identification by priority. Transmitted bytes go to <see cref="ConsoleOutput"/>;
/// while it is full they wait in the transmit FIFO (so LSR shows the transmitter busy, which is how a
/// driver sees back-pressure). Loopback mode (MCR bit 4) feeds the transmitter into the receiver.
/// Interrupt lines are computed (IIR) but not delivered: the hosted core has no interrupt controller,
/// so drivers poll LSR.
/// </summary>
public sealed unsafe class Uart16550(ushort @base = Uart16550.Com1) : PortDevice<UartState>
{
    public const ushort Com1 = 0x3F8;
    private const int Rbr = 0, Ier = 1, Iir = 2, Lcr = 3, Mcr = 4, Lsr = 5, Msr = 6, Scr = 7;
    public const byte LsrDr = 0x01, LsrOe = 0x02, LsrThre = 0x20, LsrTemt = 0x40, LsrFifoError = 0x80;
    public const byte IirNone = 0x01, IirThre = 0x02, IirRx = 0x04, IirLineStatus = 0x06, IirFifos = 0xC0;
    private const byte LcrDlab = 0x80, McrLoop = 0x10, FcrEnable = 0x01, FcrClearRx = 0x02, FcrClearTx = 0x04;
    private const byte IerRx = 0x01, IerThre = 0x02, IerLine = 0x04, IerModem = 0x08;

    private ConsoleOutput? _output;
    private ConsoleInput? _input;

    public ushort Base { get; } = @base;
    public override string Name => $"uart@{Base:x}";
    public override IReadOnlyList<PortRange> Ports => [new(Base, (ushort)(Base + 7))];
    public override int TickMilliseconds => 10; // drains the FIFO when the console makes room

    protected override void OnAttach(DeviceContext context)
    {
        _output = new ConsoleOutput(context.Output, context.Files.Count > 0 ? context.Files[0] : null, context.Log);
        _input = new ConsoleInput(context.Input, context.Log);
    }

    protected override void PowerOn(ref UartState s)
    {
        s = default;
        s.Dll = 12; // 9600 baud, as a PC's firmware leaves it
        s.Lcr = 0x03; // 8N1
    }

    protected override void Committed(in UartState s)
    {
        _output!.Publish(s.TxTotal);
        _input!.Publish(s.RxTotal);
    }

    public override void Tick() => Step((ref UartState s) => Drain(ref s) | Receive(ref s));

    /// <summary>Moves typed bytes into the receive FIFO while it has room (not in loopback); true when any moved.</summary>
    private bool Receive(ref UartState s)
    {
        bool moved = false;
        int depth = (s.Fcr & FcrEnable) != 0 ? UartState.FifoDepth : 1;
        while ((s.Mcr & McrLoop) == 0 && s.RxCount < depth && _input!.TryTake(ref s.RxTotal, out byte v))
        {
            PushRx(ref s, v);
            moved = true;
        }
        return moved;
    }

    protected override ulong Read(ref UartState s, IoAccess access)
    {
        switch (access.Port - Base)
        {
            case Rbr:
                if ((s.Lcr & LcrDlab) != 0)
                    return s.Dll;
                byte received = PopRx(ref s);
                Receive(ref s); // the next typed byte is ready at once
                return received;
            case Ier:
                return (s.Lcr & LcrDlab) != 0 ? s.Dlm : s.Ier;
            case Iir:
                byte iir = Identify(in s);
                if (iir == IirThre)
                    s.ThrePending = 0; // reading IIR acknowledges the transmitter interrupt
                return (ulong)(iir | ((s.Fcr & FcrEnable) != 0 ? IirFifos : 0));
            case Lcr:
                return s.Lcr;
            case Mcr:
                return s.Mcr;
            case Lsr:
                byte lsr = LineStatus(in s);
                s.LsrErrors = 0;
                return lsr;
            case Msr:
                byte msr = ModemStatus(in s);
                s.MsrDelta = 0;
                return msr;
            case Scr:
                return s.Scr;
            default:
                return access.Ones; // not ours (a wider access is split by the guest's driver, never by us)
        }
    }

    protected override void Write(ref UartState s, IoAccess access, ref int shutdown)
    {
        byte v = (byte)access.Value;
        switch (access.Port - Base)
        {
            case Rbr:
                if ((s.Lcr & LcrDlab) != 0)
                    s.Dll = v;
                else
                    Transmit(ref s, v);
                break;
            case Ier:
                if ((s.Lcr & LcrDlab) != 0)
                    s.Dlm = v;
                else
                {
                    // Enabling the transmitter interrupt with the FIFO empty raises it at once (drivers rely on it).
                    if ((v & IerThre) != 0 && (s.Ier & IerThre) == 0 && s.TxCount == 0)
                        s.ThrePending = 1;
                    s.Ier = (byte)(v & 0x0F);
                }
                break;
            case Iir:
                WriteFcr(ref s, v);
                break;
            case Lcr:
                s.Lcr = v;
                break;
            case Mcr:
                byte old = s.Mcr;
                s.Mcr = (byte)(v & 0x1F);
                if (((old ^ s.Mcr) & McrLoop) != 0)
                    s.MsrDelta |= 0x0F;
                break;
            case Scr:
                s.Scr = v;
                break;
            default:
                break; // LSR and MSR are read-only
        }
    }

    private void Transmit(ref UartState s, byte v)
    {
        s.ThrWrites++;
        s.ThrePending = 0;
        if ((s.Mcr & McrLoop) != 0)
        {
            PushRx(ref s, v);
            s.ThrePending = 1;
            return;
        }
        int depth = (s.Fcr & FcrEnable) != 0 ? UartState.FifoDepth : 1;
        if (s.TxCount >= depth)
        {
            s.LsrErrors |= LsrOe; // a real 16550 overwrites; reporting it is kinder to a driver that did not wait
            return;
        }
        fixed (byte* tx = s.Tx)
            tx[(s.TxHead + s.TxCount) % UartState.FifoDepth] = v;
        s.TxCount++;
        Drain(ref s);
    }

    /// <summary>Moves transmit-FIFO bytes to the console while it has room; true when any moved.</summary>
    private bool Drain(ref UartState s)
    {
        bool moved = false;
        fixed (byte* tx = s.Tx)
        {
            while (s.TxCount > 0 && _output!.TryEmit(ref s.TxTotal, tx[s.TxHead]))
            {
                s.TxHead = (byte)((s.TxHead + 1) % UartState.FifoDepth);
                s.TxCount--;
                moved = true;
            }
        }
        if (moved && s.TxCount == 0)
            s.ThrePending = 1;
        return moved;
    }

    private static void WriteFcr(ref UartState s, byte v)
    {
        if (((s.Fcr ^ v) & FcrEnable) != 0 || (v & FcrClearRx) != 0)
        {
            s.RxCount = 0;
            s.RxHead = 0;
        }
        if (((s.Fcr ^ v) & FcrEnable) != 0 || (v & FcrClearTx) != 0)
        {
            s.TxCount = 0;
            s.TxHead = 0;
            s.ThrePending = 1;
        }
        s.Fcr = (byte)(v & 0xC9); // trigger level, DMA mode, enable; the clear bits self-reset
    }

    /// <summary>Queues a received byte (loopback, or input from the console); false on overrun.</summary>
    public static bool PushRx(ref UartState s, byte v)
    {
        int depth = (s.Fcr & FcrEnable) != 0 ? UartState.FifoDepth : 1;
        if (s.RxCount >= depth)
        {
            s.LsrErrors |= LsrOe;
            return false;
        }
        s.Rx[(s.RxHead + s.RxCount) % UartState.FifoDepth] = v;
        s.RxCount++;
        return true;
    }

    private static byte PopRx(ref UartState s)
    {
        if (s.RxCount == 0)
            return 0;
        byte v = s.Rx[s.RxHead];
        s.RxHead = (byte)((s.RxHead + 1) % UartState.FifoDepth);
        s.RxCount--;
        return v;
    }

    public static byte LineStatus(in UartState s)
    {
        byte lsr = s.LsrErrors;
        if (s.RxCount > 0)
            lsr |= LsrDr;
        if (s.TxCount == 0)
            lsr |= LsrThre | LsrTemt;
        if ((s.LsrErrors & 0x1E) != 0 && (s.Fcr & FcrEnable) != 0)
            lsr |= LsrFifoError;
        return lsr;
    }

    private static byte ModemStatus(in UartState s)
    {
        if ((s.Mcr & McrLoop) == 0)
            return (byte)(0xB0 | s.MsrDelta); // DCD, DSR, CTS: a cable with a listener on it
        int m = s.Mcr;
        int status = ((m & 0x02) << 3) | ((m & 0x01) << 5) | ((m & 0x04) << 4) | ((m & 0x08) << 4); // RTS→CTS, DTR→DSR, OUT1→RI, OUT2→DCD
        return (byte)(status | s.MsrDelta);
    }

    /// <summary>The highest-priority pending interrupt the enabled sources raise (IIR bits 3..0).</summary>
    public static byte Identify(in UartState s)
    {
        if ((s.Ier & IerLine) != 0 && (s.LsrErrors & 0x1E) != 0)
            return IirLineStatus;
        if ((s.Ier & IerRx) != 0 && s.RxCount > 0)
            return IirRx;
        if ((s.Ier & IerThre) != 0 && s.ThrePending != 0)
            return IirThre;
        if ((s.Ier & IerModem) != 0 && s.MsrDelta != 0)
            return 0x00;
        return IirNone;
    }
}
