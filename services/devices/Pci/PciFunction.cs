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

    /// <summary>A legacy (transitional) virtio-pci function: device 0x1000 + type - 1, subsystem id = virtio device type.</summary>
    public static PciFunction Virtio(ushort deviceType, uint classCode, ushort ioBase, ushort ioSize)
        => new(VirtioVendor, (ushort)(0x1000 + deviceType - 1), classCode, VirtioVendor, deviceType, ioBase, ioSize, 1);

    public bool HasBar => IoSize > 0;
}
