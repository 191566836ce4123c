using Micro.Devices.Tests.Support;
using Micro.Devices.Virtio;
using Micro.Kernel.Ioreq;

namespace Micro.Devices.Tests;

public sealed class VirtioConsoleTests : IDisposable
{
    private const ushort Base = 0xC040;
    private const ulong TextAt = 0x40000;
    private readonly DeviceBench<VirtioConsole> _bench = new(() => new VirtioConsole(Base), 1 << 20);
    private readonly QueueDriver<VirtioConsole> _driver;

    public VirtioConsoleTests()
    {
        _driver = new(_bench, Base);
        _driver.Start(VirtioConsole.TransmitQueue);
    }

    public void Dispose() => _bench.Dispose();

    private void Transmit(int descriptor, ulong addr, ReadOnlySpan<byte> text)
    {
        text.CopyTo(_driver.Bytes(addr, text.Length));
        _driver.SetDesc(descriptor, addr, (uint)text.Length, 0);
        _driver.Submit((ushort)descriptor);
    }

    [Fact]
    public void Transmitted_chains_reach_the_console_ring()
    {
        Transmit(0, TextAt, "hello "u8);
        Transmit(1, TextAt + 0x100, "world\n"u8);
        Assert.Equal("hello world\n"u8.ToArray(), _bench.DrainOutput());
        Assert.Equal(2, _driver.UsedIdx);
    }

    [Fact]
    public void A_chain_larger_than_the_free_console_space_goes_out_in_parts_across_a_restart()
    {
        int size = (int)DeviceOutputRing.DataSize;
        var big = new byte[size + 1000];
        new Random(7).NextBytes(big);
        Transmit(0, TextAt, big);
        Assert.Equal(0, _driver.UsedIdx); // the console is full: the chain waits
        byte[] first = _bench.DrainOutput();
        _bench.Restart();
        _bench.Device.Tick();
        Assert.Equal(1, _driver.UsedIdx);
        byte[] rest = _bench.DrainOutput();
        Assert.Equal(big, first.Concat(rest).ToArray());
    }

    [Fact]
    public void A_device_writable_transmit_buffer_breaks_the_device()
    {
        _driver.SetDesc(0, TextAt, 16, VirtqDesc.F_WRITE);
        _driver.Submit(0);
        Assert.True(_bench.Device.IsBroken);
        Assert.Empty(_bench.DrainOutput());
    }
}
