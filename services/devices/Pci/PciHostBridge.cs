using Micro.Devices.Host;

namespace Micro.Devices.Pci;

/// <summary>
/// PCI configuration mechanism #1 (0xCF8 address, 0xCFC..0xCFF data) for bus 0: slot 0 is the host
/// bridge, the next slots are the functions the toolstack configured (virtio devices with fixed I/O
/// BARs). Writable: the command register, BAR 0 for sizing (all ones reads back the size mask; a
/// different address is refused, since the device model serves fixed ports) and the interrupt line.
/// Everything else reads as the identity says; absent functions read all ones. Port 0xCF9 is the
/// reset control register: a reset request there reboots the guest.
/// </summary>
public sealed unsafe class PciHostBridge : PortDevice<PciState>
{
    public const ushort AddressPort = 0xCF8, DataPort = 0xCFC, ResetControlPort = 0xCF9;
    private const uint Enable = 0x8000_0000;
    private const int SHUTDOWN_reboot = 1;

    private readonly PciFunction[] _functions;

    public PciHostBridge(IReadOnlyList<PciFunction> devices)
    {
        if (devices.Count + 1 > PciState.MaxSlots)
            throw new ArgumentException($"at most {PciState.MaxSlots - 1} devices behind the host bridge", nameof(devices));
        _functions = [PciFunction.HostBridge, .. devices];
    }

    public override string Name => "pci";
    public override IReadOnlyList<PortRange> Ports => [new(AddressPort, DataPort + 3)];

    protected override void PowerOn(ref PciState s)
    {
        s = default;
        for (int i = 0; i < _functions.Length; i++)
        {
            s.Command[i] = (ushort)(_functions[i].HasBar ? 0x0001 : 0x0006); // firmware enabled I/O decoding
            s.InterruptLine[i] = _functions[i].InterruptPin != 0 ? (byte)(10 + i % 2) : (byte)0xFF;
        }
    }

    protected override ulong Read(ref PciState s, IoAccess access)
    {
        if (access.Port >= AddressPort && access.Port < DataPort)
            return access.Port == AddressPort && access.Size == 4 ? s.Address : access.Ones;
        int offset = access.Port - DataPort;
        if (!TrySelect(in s, out int slot, out int register) || offset + access.Size > 4)
            return access.Ones;
        return ConfigDword(in s, slot, register) >> (offset * 8);
    }

    protected override void Write(ref PciState s, IoAccess access, ref int shutdown)
    {
        if (access.Port == AddressPort && access.Size == 4)
        {
            s.Address = (uint)access.Value;
            return;
        }
        if (access.Port == ResetControlPort && access.Size == 1)
        {
            if ((access.Value & 0x04) != 0)
            {
                Context.Log($"{Name}: reset requested through 0xcf9: the guest reboots");
                shutdown = SHUTDOWN_reboot;
            }
            return;
        }
        int offset = access.Port - DataPort;
        if (offset < 0 || offset + access.Size > 4 || !TrySelect(in s, out int slot, out int register))
            return;
        // Merge the written bytes into the dword, then apply what is writable in it.
        uint old = ConfigDword(in s, slot, register);
        uint mask = (uint)(access.Ones << (offset * 8));
        uint value = (old & ~mask) | ((uint)(access.Value << (offset * 8)) & mask);
        switch (register)
        {
            case 0x04:
                if ((mask & 0xFFFF) != 0)
                    s.Command[slot] = (ushort)(value & 0x0507); // I/O, memory, bus master, SERR, INTx disable
                break;
            case 0x10:
                if (!_functions[slot].HasBar)
                    break;
                s.BarSizing[slot] = (byte)((value & 0xFFFF_FFFC) == 0xFFFF_FFFC ? 1 : 0);
                if (s.BarSizing[slot] == 0 && (value & 0xFFFC) != _functions[slot].IoBase)
                    Context.Log($"{Name}: 00:{slot:x2}.0 BAR0 cannot move from {_functions[slot].IoBase:x} to {value & 0xFFFC:x}");
                break;
            case 0x3C:
                s.InterruptLine[slot] = (byte)value;
                break;
            default:
                break; // read-only
        }
    }

    private bool TrySelect(in PciState s, out int slot, out int register)
    {
        uint a = s.Address;
        slot = (int)((a >> 11) & 0x1F);
        register = (int)(a & 0xFC);
        int bus = (int)((a >> 16) & 0xFF), function = (int)((a >> 8) & 0x7);
        return (a & Enable) != 0 && bus == 0 && function == 0 && slot < _functions.Length;
    }

    private uint ConfigDword(in PciState s, int slot, int register)
    {
        var f = _functions[slot];
        return register switch
        {
            0x00 => (uint)(f.Device << 16 | f.Vendor),
            0x04 => s.Command[slot], // status 0: no capabilities list
            0x08 => f.ClassCode << 8, // revision 0
            0x0C => 0, // header type 0, single function
            0x10 => !f.HasBar ? 0 : s.BarSizing[slot] != 0 ? (~(uint)(f.IoSize - 1) & 0xFFFF_FFFC) | 1 : (uint)f.IoBase | 1,
            0x2C => (uint)(f.SubsystemId << 16 | f.SubsystemVendor),
            0x3C => (uint)(f.InterruptPin << 8 | s.InterruptLine[slot]),
            _ => 0,
        };
    }
}
