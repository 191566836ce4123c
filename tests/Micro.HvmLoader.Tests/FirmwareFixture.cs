using Micro.HvmLoader.Firmware;
using Micro.HvmLoader.Tests.Readers;

namespace Micro.HvmLoader.Tests;

/// <summary>Builds the firmware tables for one configuration and reads them back.</summary>
internal static class FirmwareFixture
{
    public static readonly Guid Uuid = new("3d2b8c4e-5f6a-4b7c-8d9e-0a1b2c3d4e5f");

    public static (GuestImage Image, FirmwareTables Tables, GuestBytes Bytes) Build(ulong memory, int vcpus)
    {
        var image = new GuestImage(new GuestConfig(memory, vcpus));
        var tables = FirmwareTables.Build(image, Uuid);
        return (image, tables, new GuestBytes(image));
    }
}
