namespace Micro.HvmLoader.Bios;

/// <summary>
/// The fw_cfg port interface over <see cref="FwCfgItems"/>: a 16-bit write to the selector port
/// picks an item and rewinds it; each read of the data port returns its next byte (0 past the end
/// or for an unknown item, as QEMU does). A device model feeds its port accesses here; the state
/// is two numbers, so it survives a restart if kept in the device's state page.
/// </summary>
public sealed class FwCfgDevice(FwCfgItems items)
{
    public ushort Selected { get; private set; }
    public int Offset { get; private set; }

    /// <summary>Handles one port access; returns the value a read yields (0 for writes and other ports).</summary>
    public ulong Access(ushort port, int size, bool write, ulong value)
    {
        if (port == FwCfgItems.SelectorPort && write && size == 2)
        {
            Selected = (ushort)value;
            Offset = 0;
            return 0;
        }
        if (port != FwCfgItems.DataPort || write)
            return 0;
        ulong result = 0;
        for (int i = 0; i < size; i++)
            result |= (ulong)NextByte() << (8 * i);
        return result;
    }

    private byte NextByte()
    {
        if (!items.Items.TryGetValue(Selected, out var bytes) || Offset >= bytes.Length)
            return 0;
        return bytes[Offset++];
    }
}
