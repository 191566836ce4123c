using Micro.Devices.Host;

namespace Micro.Devices.I8042;

/// <summary>
/// The PC keyboard controller at ports 0x60 (data) and 0x64 (status/command), with a keyboard that
/// answers its commands (no keys are ever pressed). What matters to a guest: self-tests, the command
/// byte, the output port, and the reset line — command 0xFE (or any pulse of output bit 0, or an
/// output-port write clearing bit 0) resets the machine, which the core turns into a domain reboot.
/// </summary>
public sealed unsafe class I8042Controller : PortDevice<I8042State>
{
    public const ushort DataPort = 0x60, CommandPort = 0x64;
    public const byte StatusOutputFull = 0x01, StatusSystem = 0x04, StatusCommand = 0x08, StatusUnlocked = 0x10;
    private const int SHUTDOWN_reboot = 1;

    public override string Name => "i8042";
    public override IReadOnlyList<PortRange> Ports => [new(DataPort, DataPort), new(CommandPort, CommandPort)];

    protected override void PowerOn(ref I8042State s)
    {
        s = default;
        s.CommandByte = 0x45; // keyboard interrupt, system flag, scan-code translation
        s.OutputPort = 0x03; // reset line high (not resetting), A20 on
        s.SystemFlag = 1; // firmware has passed its self-test
    }

    protected override ulong Read(ref I8042State s, IoAccess access)
    {
        if (access.Port == CommandPort)
        {
            int status = StatusUnlocked | (s.QueueCount > 0 ? StatusOutputFull : 0) | (s.SystemFlag != 0 ? StatusSystem : 0) | (s.LastWasCommand != 0 ? StatusCommand : 0);
            return (ulong)status;
        }
        if (s.QueueCount == 0)
            return 0;
        byte v = s.Queue[s.QueueHead];
        s.QueueHead = (byte)((s.QueueHead + 1) % I8042State.QueueDepth);
        s.QueueCount--;
        return v;
    }

    protected override void Write(ref I8042State s, IoAccess access, ref int shutdown)
    {
        byte v = (byte)access.Value;
        if (access.Port == CommandPort)
        {
            s.LastWasCommand = 1;
            Command(ref s, v, ref shutdown);
            return;
        }
        s.LastWasCommand = 0;
        byte pending = s.PendingCommand;
        s.PendingCommand = 0;
        switch (pending)
        {
            case 0x60:
                s.CommandByte = v;
                s.SystemFlag = (byte)((v >> 2) & 1);
                break;
            case 0xD1:
                WriteOutputPort(ref s, v, ref shutdown);
                break;
            case 0xD2: // write keyboard output buffer
            case 0xD3: // write aux output buffer
                Push(ref s, v);
                break;
            case 0xD4: // to the aux device: there is none
                Push(ref s, 0xFE);
                break;
            default:
                Keyboard(ref s, v);
                break;
        }
    }

    private void Command(ref I8042State s, byte c, ref int shutdown)
    {
        switch (c)
        {
            case 0x20:
                Push(ref s, s.CommandByte);
                break;
            case 0x60 or 0xD1 or 0xD2 or 0xD3 or 0xD4:
                s.PendingCommand = c;
                break;
            case 0xA7:
                s.CommandByte |= 0x20;
                break;
            case 0xA8:
                s.CommandByte = (byte)(s.CommandByte & ~0x20);
                break;
            case 0xA9 or 0xAB:
                Push(ref s, 0x00); // interface test passed
                break;
            case 0xAA:
                s.SystemFlag = 1;
                Push(ref s, 0x55);
                break;
            case 0xAD:
                s.CommandByte |= 0x10;
                break;
            case 0xAE:
                s.CommandByte = (byte)(s.CommandByte & ~0x10);
                break;
            case 0xD0:
                Push(ref s, s.OutputPort);
                break;
            case >= 0xF0:
                if ((c & 0x01) == 0) // pulse output bit 0 low: the reset line (0xFE is the usual one)
                    Reset(ref shutdown);
                break;
            default:
                Context.Log($"{Name}: unknown controller command {c:x2} ignored");
                break;
        }
    }

    private void WriteOutputPort(ref I8042State s, byte v, ref int shutdown)
    {
        s.OutputPort = v;
        if ((v & 0x01) == 0)
            Reset(ref shutdown);
    }

    private void Reset(ref int shutdown)
    {
        Context.Log($"{Name}: reset line pulsed: the guest reboots");
        shutdown = SHUTDOWN_reboot;
    }

    private static void Keyboard(ref I8042State s, byte v)
    {
        if (s.PendingKeyboard != 0)
        {
            s.PendingKeyboard = 0;
            Push(ref s, 0xFA); // argument taken (LEDs, typematic rate)
            return;
        }
        switch (v)
        {
            case 0xFF:
                Push(ref s, 0xFA);
                Push(ref s, 0xAA); // self-test passed
                break;
            case 0xF2:
                Push(ref s, 0xFA);
                Push(ref s, 0xAB);
                Push(ref s, 0x83); // an MF2 keyboard
                break;
            case 0xEE:
                Push(ref s, 0xEE);
                break;
            case 0xED or 0xF3:
                s.PendingKeyboard = v;
                Push(ref s, 0xFA);
                break;
            default:
                Push(ref s, 0xFA);
                break;
        }
    }

    private static void Push(ref I8042State s, byte v)
    {
        if (s.QueueCount >= I8042State.QueueDepth)
            return; // a guest that never reads loses the oldest answers' successors, not our memory
        s.Queue[(s.QueueHead + s.QueueCount) % I8042State.QueueDepth] = v;
        s.QueueCount++;
    }
}
