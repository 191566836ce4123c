using System.Buffers.Binary;
using Micro.Devices.Tests.Support;
using Micro.Devices.Virtio;

namespace Micro.Devices.Tests;

public sealed class VirtioBlkTests : IDisposable
{
    private const ushort Base = 0xC000;
    private const ulong RamSize = 1 << 20, HeaderAt = 0x20000, StatusAt = 0x20100, DataAt = 0x30000;
    private const ushort Next = VirtqDesc.F_NEXT, Write = VirtqDesc.F_WRITE;
    private readonly string _dir = Directory.CreateTempSubdirectory("micro-blk-").FullName;
    private readonly string _image;
    private readonly DeviceBench<VirtioBlk> _bench;
    private readonly QueueDriver<VirtioBlk> _driver;

    public VirtioBlkTests()
    {
        _image = Path.Combine(_dir, "disk.img");
        using (var f = File.Create(_image))
            f.SetLength(256 * 1024);
        _bench = new(() => new VirtioBlk(Base), RamSize, _image);
        _driver = new(_bench, Base);
        _driver.Start();
    }

    public void Dispose()
    {
        _bench.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private void Header(uint type, ulong sector)
    {
        var h = _driver.Bytes(HeaderAt, 16);
        BinaryPrimitives.WriteUInt32LittleEndian(h, type);
        BinaryPrimitives.WriteUInt32LittleEndian(h[4..], 0);
        BinaryPrimitives.WriteUInt64LittleEndian(h[8..], sector);
        _driver.Bytes(StatusAt, 1)[0] = 0xFF;
    }

    /// <summary>Header, one data buffer, status: the usual three-descriptor request.</summary>
    private void Request(uint type, ulong sector, uint length, bool deviceWrites)
    {
        Header(type, sector);
        _driver.SetDesc(0, HeaderAt, 16, Next, 1);
        _driver.SetDesc(1, DataAt, length, (ushort)(Next | (deviceWrites ? Write : 0)), 2);
        _driver.SetDesc(2, StatusAt, 1, Write);
        _driver.Submit(0);
    }

    private byte StatusByte => _driver.Bytes(StatusAt, 1)[0];

    [Fact]
    public void Writes_land_in_the_image_and_reads_bring_them_back()
    {
        var data = _driver.Bytes(DataAt, 4096);
        for (int i = 0; i < data.Length; i++)
            data[i] = (byte)(i * 7);
        byte[] written = data.ToArray();
        Request(VirtioBlk.TypeOut, 8, 4096, deviceWrites: false);
        Assert.Equal(VirtioBlk.StatusOk, StatusByte);
        Assert.Equal(1, _driver.UsedIdx);
        Assert.Equal((0u, 1u), _driver.UsedEntry(0));
        Assert.Equal(written, File.ReadAllBytes(_image).AsSpan(8 * 512, 4096).ToArray());

        data.Clear();
        Request(VirtioBlk.TypeIn, 8, 4096, deviceWrites: true);
        Assert.Equal(VirtioBlk.StatusOk, StatusByte);
        Assert.Equal(2, _driver.UsedIdx);
        Assert.Equal((0u, 4097u), _driver.UsedEntry(1));
        Assert.Equal(written, _driver.Bytes(DataAt, 4096).ToArray());
        Assert.Equal(1UL, _bench.Device.State.Isr);
    }

    [Fact]
    public void The_config_space_reports_the_capacity_in_sectors_and_features_are_negotiated_as_a_subset()
    {
        Assert.Equal(512UL, _bench.In(Base + VirtioPciDevice.ConfigReg, 4));
        Assert.Equal(0UL, _bench.In(Base + VirtioPciDevice.ConfigReg + 4, 4));
        Assert.Equal((ulong)(VirtioBlk.FeatureSegMax | VirtioBlk.FeatureFlush), _bench.In(Base + VirtioPciDevice.HostFeaturesReg, 4));
        _bench.Out(Base + VirtioPciDevice.GuestFeaturesReg, 0xFFFF_FFFF, 4);
        Assert.Equal((ulong)(VirtioBlk.FeatureSegMax | VirtioBlk.FeatureFlush), _bench.In(Base + VirtioPciDevice.GuestFeaturesReg, 4));
        Assert.Equal(128UL, _bench.In(Base + VirtioPciDevice.QueueSizeReg, 2));
    }

    [Fact]
    public void Driver_mistakes_get_an_error_status_not_a_broken_device()
    {
        Request(VirtioBlk.TypeIn, 512, 512, deviceWrites: true); // one past the end
        Assert.Equal(VirtioBlk.StatusIoErr, StatusByte);
        Request(VirtioBlk.TypeOut, 0, 100, deviceWrites: false); // not whole sectors
        Assert.Equal(VirtioBlk.StatusIoErr, StatusByte);
        Request(77, 0, 512, deviceWrites: true);
        Assert.Equal(VirtioBlk.StatusUnsupported, StatusByte);
        Request(VirtioBlk.TypeFlush, 0, 512, deviceWrites: false);
        Assert.Equal(VirtioBlk.StatusOk, StatusByte);
        Request(VirtioBlk.TypeGetId, 0, 20, deviceWrites: true);
        Assert.Equal(VirtioBlk.StatusOk, StatusByte);
        Assert.Equal("micro-virtio-blk"u8.ToArray(), _driver.Bytes(DataAt, 16).ToArray());
        Assert.Equal(5, _driver.UsedIdx);
        Assert.False(_bench.Device.IsBroken);
    }

    private void AssertBrokenAndHarmless(string reason)
    {
        byte[] before = File.ReadAllBytes(_image);
        _bench.Device.Doorbell(0);
        _bench.Device.Tick();
        Assert.True(_bench.Device.IsBroken, string.Join('\n', _bench.Log));
        Assert.Equal(VirtioPciDevice.StatusNeedsReset, (byte)(_driver.Status & VirtioPciDevice.StatusNeedsReset));
        Assert.Contains(_bench.Log, l => l.Contains(reason, StringComparison.Ordinal));
        Assert.Equal(0, _driver.UsedIdx);
        Assert.Equal(before, File.ReadAllBytes(_image));
        // A reset brings it back, and a sound request works again.
        _driver.AvailIdx = 0;
        _driver.Start();
        Assert.False(_bench.Device.IsBroken);
        Request(VirtioBlk.TypeIn, 0, 512, deviceWrites: true);
        Assert.Equal(VirtioBlk.StatusOk, StatusByte);
        Assert.Equal(1, _driver.UsedIdx);
    }

    [Fact]
    public void A_descriptor_loop_breaks_the_device_without_hanging_it()
    {
        Header(VirtioBlk.TypeIn, 0);
        _driver.SetDesc(0, HeaderAt, 16, Next, 1);
        _driver.SetDesc(1, DataAt, 512, Next | Write, 2);
        _driver.SetDesc(2, StatusAt, 1, Next | Write, 1); // back to 1
        _driver.Submit(0);
        AssertBrokenAndHarmless("a loop");
    }

    [Theory]
    [InlineData(RamSize - 256, 512u)] // runs off the end of RAM
    [InlineData(RamSize, 1u)] // starts just past it
    [InlineData(ulong.MaxValue - 255, 512u)] // wraps around the address space
    public void A_buffer_outside_guest_memory_breaks_the_device_untouched(ulong addr, uint length)
    {
        Header(VirtioBlk.TypeIn, 0);
        _driver.SetDesc(0, HeaderAt, 16, Next, 1);
        _driver.SetDesc(1, addr, length, Next | Write, 2);
        _driver.SetDesc(2, StatusAt, 1, Write);
        _driver.Submit(0);
        AssertBrokenAndHarmless("outside guest memory");
    }

    [Fact]
    public void An_oversized_chain_breaks_the_device()
    {
        Header(VirtioBlk.TypeIn, 0);
        _driver.SetDesc(0, HeaderAt, 16, Next, 1);
        for (int i = 1; i <= 5; i++)
            _driver.SetDesc(i, 0, (uint)RamSize, Next | Write, (ushort)(i + 1)); // 5 MiB of the same megabyte
        _driver.SetDesc(6, StatusAt, 1, Write);
        _driver.Submit(0);
        AssertBrokenAndHarmless("larger than");
    }

    [Fact]
    public void A_head_index_outside_the_queue_breaks_the_device()
    {
        _driver.Submit(500);
        AssertBrokenAndHarmless("descriptor index 500");
    }

    [Fact]
    public void A_next_index_outside_the_queue_breaks_the_device()
    {
        Header(VirtioBlk.TypeIn, 0);
        _driver.SetDesc(0, HeaderAt, 16, Next, 128);
        _driver.Submit(0);
        AssertBrokenAndHarmless("descriptor index 128");
    }

    [Fact]
    public void An_avail_index_running_ahead_of_the_queue_breaks_the_device()
    {
        _driver.AvailIdx = 200;
        AssertBrokenAndHarmless("more than the queue holds");
    }

    [Fact]
    public void Indirect_descriptors_and_readable_after_writable_break_the_device()
    {
        Header(VirtioBlk.TypeIn, 0);
        _driver.SetDesc(0, HeaderAt, 16, VirtqDesc.F_INDIRECT);
        _driver.Submit(0);
        AssertBrokenAndHarmless("indirect");

        Header(VirtioBlk.TypeOut, 0);
        _driver.SetDesc(0, HeaderAt, 16, Next | Write, 1);
        _driver.SetDesc(1, DataAt, 512, Next, 2);
        _driver.SetDesc(2, StatusAt, 1, Write);
        _driver.Submit(0);
        Assert.True(_bench.Device.IsBroken);
        Assert.Contains(_bench.Log, l => l.Contains("readable after", StringComparison.Ordinal));
    }

    [Fact]
    public void A_request_without_a_status_byte_or_with_data_the_wrong_way_breaks_the_device()
    {
        Header(VirtioBlk.TypeIn, 0);
        _driver.SetDesc(0, HeaderAt, 16, Next, 1);
        _driver.SetDesc(1, DataAt, 512, 0); // no writable status
        _driver.Submit(0);
        AssertBrokenAndHarmless("status byte");

        Request(VirtioBlk.TypeOut, 0, 512, deviceWrites: true);
        Assert.True(_bench.Device.IsBroken);
        Assert.Contains(_bench.Log, l => l.Contains("wrong direction", StringComparison.Ordinal));
    }

    [Fact]
    public void A_queue_page_outside_guest_memory_is_refused()
    {
        _bench.Out(Base + VirtioPciDevice.QueueSelectReg, 0, 2);
        _bench.Out(Base + VirtioPciDevice.QueuePfnReg, (RamSize >> 12) - 1, 4); // the used ring would run past RAM
        Assert.True(_bench.Device.IsBroken);
        Assert.Equal((ulong)QueueDriver<VirtioBlk>.DefaultPfn, _bench.In(Base + VirtioPciDevice.QueuePfnReg, 4));
    }

    [Fact]
    public void A_restarted_device_resumes_its_queue_and_completes_nothing_twice()
    {
        Request(VirtioBlk.TypeIn, 0, 512, deviceWrites: true);
        Request(VirtioBlk.TypeIn, 1, 512, deviceWrites: true);
        Assert.Equal(2, _driver.UsedIdx);
        var before = _bench.Device.State;
        _bench.Restart();
        _bench.Device.Doorbell(0);
        Assert.Equal(2, _driver.UsedIdx);
        Assert.Equal(before.Completed, _bench.Device.State.Completed);
        Request(VirtioBlk.TypeIn, 2, 512, deviceWrites: true);
        Assert.Equal(3, _driver.UsedIdx);
        Assert.Equal(3UL, _bench.Device.State.Completed);
    }

    [Fact]
    public void Random_queues_never_crash_the_device_and_never_grow_the_image()
    {
        var random = new Random(20261124);
        long imageLength = new FileInfo(_image).Length;
        int broken = 0, completed = 0;
        for (int round = 0; round < 300; round++)
        {
            _driver.AvailIdx = 0;
            _driver.Start();
            for (int i = 0; i < VirtioPciDevice.QueueSize; i++)
            {
                // Mostly plausible, sometimes wild: addresses around and past RAM, any flags, any next.
                ulong addr = random.Next(4) == 0 ? (ulong)random.NextInt64() : (ulong)random.NextInt64((long)RamSize + 4096);
                uint len = random.Next(3) == 0 ? (uint)random.Next() : (uint)random.Next(1, 8192);
                _driver.SetDesc(i, addr, len, (ushort)random.Next(8), (ushort)random.Next(VirtioPciDevice.QueueSize + 8));
            }
            random.NextBytes(_driver.Bytes(HeaderAt, 16));
            int offered = random.Next(1, 6);
            for (int i = 0; i < offered; i++)
                _driver.Submit((ushort)random.Next(VirtioPciDevice.QueueSize + 8));
            if (random.Next(10) == 0)
                _driver.AvailIdx = (ushort)random.Next(ushort.MaxValue);
            _bench.Device.Tick();
            if (_bench.Device.IsBroken)
                broken++;
            else
                completed += _driver.UsedIdx;
        }
        Assert.Equal(imageLength, new FileInfo(_image).Length);
        Assert.True(broken > 0, "no random queue was refused");
        Assert.True(broken + completed > 0);
    }
}
