using Micro.Guests.Runtime;

namespace Micro.Guests.Tests;

/// <summary>Every test guest by name, for the core's command line and the test suites.</summary>
public static class GuestCatalog
{
    public static readonly IReadOnlyDictionary<string, Func<GuestImage>> All = new Dictionary<string, Func<GuestImage>>
    {
        ["hello"] = HelloGuest.Build,
        ["triple-fault"] = TripleFaultGuest.Build,
        ["uart"] = UartGuest.Build,
        ["evtchn-a"] = EventChannelGuests.BuildA,
        ["evtchn-b"] = EventChannelGuests.BuildB,
        ["hostile"] = HostileGuest.Build,
        ["grant"] = GrantGuest.Build,
        ["kbd-reset"] = KeyboardResetGuest.Build,
        ["virtio-blk"] = VirtioBlkGuest.Build,
        ["virtio-console"] = VirtioConsoleGuest.Build,
    };
}
