namespace Micro.Kernel.Ioreq;

/// <summary>
/// What the core hands one device model besides its ioreq page: the toolstack decides this, never the
/// model. <see cref="GuestMemory"/> maps the guest's RAM into the model (virtio needs it, a UART does
/// not); <see cref="Output"/> is a byte ring the console service drains; <see cref="Input"/> one it fills
/// with what is typed for the guest (same layout, <see cref="DeviceOutputRing"/>); <see cref="Doorbells"/> are
/// ports whose 16-bit writes KVM turns into eventfd signals (ioeventfd) without an exit to user
/// space; <see cref="Files"/> are opened by the core (read-write) and passed as fds, so the sandboxed
/// model never needs a path of its own (disk images, logs).
/// </summary>
public sealed record DeviceModelGrants
{
    public static readonly DeviceModelGrants None = new();

    public bool GuestMemory { get; init; }
    public bool Output { get; init; }
    public bool Input { get; init; }
    public IReadOnlyList<ushort> Doorbells { get; init; } = [];
    public IReadOnlyList<string> Files { get; init; } = [];
}
