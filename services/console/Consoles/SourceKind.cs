namespace Micro.Console.Consoles;

/// <summary>Where a domain's console bytes come from. Both kinds use the xencons_interface page layout.</summary>
public enum SourceKind
{
    /// <summary>The guest's PV console page (HVM param CONSOLE_PFN, xenstore console/ring-ref).</summary>
    Console = 0,

    /// <summary>The UART device model's byte ring: the same page layout, written by the device model for the guest's serial port.</summary>
    Uart = 1,
}
