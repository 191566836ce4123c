using System.Runtime.InteropServices;

namespace Micro.Devices.Uart;

/// <summary>The 16550A's registers and FIFOs as kept in the state journal (see the README for the layout).</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct UartState
{
    public const int FifoDepth = 16;

    public byte Ier, Lcr, Mcr, Scr, Dll, Dlm, Fcr;
    /// <summary>Sticky line-status error bits (overrun, parity, framing, break); cleared by reading LSR.</summary>
    public byte LsrErrors;
    /// <summary>Modem-status delta bits (0..3); cleared by reading MSR.</summary>
    public byte MsrDelta;
    /// <summary>The transmitter-empty interrupt is pending (set when the FIFO empties, cleared by IIR read or THR write).</summary>
    public byte ThrePending;
    public byte RxHead, RxCount, TxHead, TxCount;
    public fixed byte Rx[FifoDepth];
    public fixed byte Tx[FifoDepth];
    /// <summary>Bytes sent to the console so far: the next byte's ring slot and log offset.</summary>
    public ulong TxTotal;
    /// <summary>Bytes taken from the console's input ring: the next one's slot.</summary>
    public ulong RxTotal;
    /// <summary>Bytes the guest wrote to THR (for diagnostics and tests).</summary>
    public ulong ThrWrites;
}
