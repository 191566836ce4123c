using Micro.Devices.Pci;
using Micro.Devices.Tests.Support;

namespace Micro.Devices.Tests;

public sealed class PciHostBridgeTests : IDisposable
{
    private readonly DeviceBench<PciHostBridge> _bench = new(() => new PciHostBridge([PciFunction.VirtioBlock(0xC000), PciFunction.VirtioConsole(0xC040)]));

    public void Dispose() => _bench.Dispose();

    private static uint Address(int slot, int register, int bus = 0, int function = 0) => 0x8000_0000u | (uint)(bus << 16 | slot << 11 | function << 8 | register);

    private ulong Config(int slot, int register, int size = 4, int bus = 0, int function = 0)
    {
        _bench.Out(PciHostBridge.AddressPort, Address(slot, register & 0xFC, bus, function), 4);
        return _bench.In((ushort)(PciHostBridge.DataPort + (register & 3)), size);
    }

    private void SetConfig(int slot, int register, ulong value, int size = 4)
    {
        _bench.Out(PciHostBridge.AddressPort, Address(slot, register & 0xFC), 4);
        _bench.Out((ushort)(PciHostBridge.DataPort + (register & 3)), value, size);
    }

    [Fact]
    public void The_host_bridge_and_the_virtio_block_function_identify_themselves()
    {
        Assert.Equal(0x1237_8086UL, Config(0, 0));
        Assert.Equal(0x0600_0000UL, Config(0, 8));
        Assert.Equal(0x1001_1AF4UL, Config(1, 0));
        Assert.Equal(0x0002_1AF4UL, Config(1, 0x2C));
        Assert.Equal(0x0100_0000UL, Config(1, 8));
        Assert.Equal(0xC001UL, Config(1, 0x10));
        Assert.Equal(0x01UL, Config(1, 0x3D, 1));
        Assert.Equal(0x1AF4UL, Config(1, 0, 2));
        Assert.Equal(0x1001UL, Config(1, 2, 2));
        Assert.Equal(0x1003_1AF4UL, Config(2, 0));
        Assert.Equal(0x0003_1AF4UL, Config(2, 0x2C));
        Assert.Equal(0xC041UL, Config(2, 0x10));
    }

    [Fact]
    public void Absent_functions_other_buses_and_a_disabled_address_read_all_ones()
    {
        Assert.Equal(0xFFFF_FFFFUL, Config(3, 0));
        Assert.Equal(0xFFFF_FFFFUL, Config(1, 0, bus: 1));
        Assert.Equal(0xFFFF_FFFFUL, Config(1, 0, function: 3));
        _bench.Out(PciHostBridge.AddressPort, 0x0000_0800, 4);
        Assert.Equal(0xFFFF_FFFFUL, _bench.In(PciHostBridge.DataPort, 4));
        Assert.Equal(0x0000_0800UL, _bench.In(PciHostBridge.AddressPort, 4));
    }

    [Fact]
    public void Bar_sizing_reads_back_the_size_mask_and_the_bar_does_not_move()
    {
        SetConfig(1, 0x10, 0xFFFF_FFFF);
        Assert.Equal(0xFFFF_FFC1UL, Config(1, 0x10));
        SetConfig(1, 0x10, 0xD001);
        Assert.Equal(0xC001UL, Config(1, 0x10));
        Assert.Contains(_bench.Log, l => l.Contains("cannot move", StringComparison.Ordinal));
        SetConfig(1, 0x10, 0xC001);
        Assert.Equal(0xC001UL, Config(1, 0x10));
    }

    [Fact]
    public void Command_and_interrupt_line_are_writable_the_identity_is_not()
    {
        SetConfig(1, 0x04, 0x0005, 2);
        Assert.Equal(0x0005UL, Config(1, 0x04, 2));
        SetConfig(1, 0x3C, 0x0B, 1);
        Assert.Equal(0x010BUL, Config(1, 0x3C, 2));
        SetConfig(1, 0x00, 0x1234_5678);
        Assert.Equal(0x1001_1AF4UL, Config(1, 0));
        _bench.Restart();
        Assert.Equal(0x0005UL, Config(1, 0x04, 2));
    }

    [Fact]
    public void A_reset_request_on_0xcf9_reboots()
    {
        Assert.Equal(1, _bench.OutShutdown(PciHostBridge.ResetControlPort, 0x06));
        Assert.Equal(-1, _bench.OutShutdown(PciHostBridge.ResetControlPort, 0x02));
    }
}
