using System.Runtime.InteropServices;

namespace Micro.Devices.I8042;

/// <summary>The i8042 controller's state in the journal: command byte, output port, a pending two-byte command and the output buffer queue.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct I8042State
{
    public const int QueueDepth = 16;

    public byte CommandByte;
    public byte OutputPort;
    /// <summary>A controller command waiting for its data byte on port 0x60 (0x60, 0xD1..0xD4), or 0.</summary>
    public byte PendingCommand;
    /// <summary>A keyboard command waiting for its argument (0xED, 0xF3), or 0.</summary>
    public byte PendingKeyboard;
    /// <summary>Status bit 3: the last write went to the command port.</summary>
    public byte LastWasCommand;
    public byte SystemFlag;
    public byte QueueHead, QueueCount;
    public fixed byte Queue[QueueDepth];
}
