namespace Micro.Devices.Pci;

/// <summary>
/// The read-only identity of one PCI function on bus 0: IDs, class, and an I/O BAR 0 at a fixed port
/// range that the toolstack assigned (the device model behind it serves exactly those ports).
/// </summary>
public sealed record PciFunction(ushort Vendor, ushort Device, uint ClassCode, ushort SubsystemVendor, ushort SubsystemId, ushort IoBase, ushort IoSize, byte InterruptPin)
{
    public const ushort VirtioVendor = 0x1AF4;

    /// <summary>Intel 440FX, the host bridge of Xen's and QEMU's default PC.</summary>
    public static PciFunction HostBridge { get; } = new(0x8086, 0x1237, 0x060000, 0, 0, 0, 0, 0);

    /// <summary>A legacy (transitional) virtio-pci function: its transitional device id (0x1001 block, 0x1003 console), subsystem id = virtio device type.</summary>
    public static PciFunction Virtio(ushort transitionalId, ushort deviceType, uint classCode, ushort ioBase, ushort ioSize)
        => new(VirtioVendor, transitionalId, classCode, VirtioVendor, deviceType, ioBase, ioSize, 1);

    public static PciFunction VirtioBlock(ushort ioBase) => Virtio(0x1001, 2, 0x010000, ioBase, 0x40);

    public static PciFunction VirtioConsole(ushort ioBase) => Virtio(0x1003, 3, 0x078000, ioBase, 0x20);

    public bool HasBar => IoSize > 0;
}
