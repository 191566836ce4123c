namespace Micro.Guests.Runtime;

/// <summary>
/// The fixed layout of every test guest image. Pages at the start are zero-filled and named; the
/// code follows the stack. Guests pass guest-physical (= identity-mapped virtual) addresses to Xen.
/// </summary>
public static class GuestMap
{
    public const ulong LoadAddress = 0x100000;
    public const ulong HypercallPage = LoadAddress + 0x0000;
    public const ulong SharedInfo = LoadAddress + 0x1000;
    /// <summary>A page a guest shares with others through its grant table.</summary>
    public const ulong GrantPage = LoadAddress + 0x2000;
    /// <summary>Where the guest's grant-table frame 0 is mapped (add_to_physmap).</summary>
    public const ulong GrantTable = LoadAddress + 0x3000;
    /// <summary>Argument structs passed to hypercalls.</summary>
    public const ulong Scratch = LoadAddress + 0x4000;
    /// <summary>The IDT (256 16-byte gates) for guests that take the event-channel upcall.</summary>
    public const ulong Idt = LoadAddress + 0x5000;
    public const ulong StackTop = LoadAddress + 0x8000;
    public const ulong Code = StackTop;

    public const int ReservedBytes = (int)(Code - LoadAddress);
}
