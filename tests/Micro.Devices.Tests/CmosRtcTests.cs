using Micro.Devices.Rtc;
using Micro.Devices.Tests.Support;

namespace Micro.Devices.Tests;

public sealed class CmosRtcTests : IDisposable
{
    private DateTime _now = new(2026, 3, 14, 21, 5, 9, DateTimeKind.Utc);
    private readonly DeviceBench<CmosRtc> _bench;

    public CmosRtcTests() => _bench = new(() => new CmosRtc(() => _now));

    public void Dispose() => _bench.Dispose();

    private ulong ReadReg(byte index)
    {
        _bench.Out(CmosRtc.IndexPort, index);
        return _bench.In(CmosRtc.DataPort);
    }

    private void WriteReg(byte index, byte value)
    {
        _bench.Out(CmosRtc.IndexPort, index);
        _bench.Out(CmosRtc.DataPort, value);
    }

    [Fact]
    public void Time_reads_in_bcd_24_hour_by_default()
    {
        Assert.Equal(0x09UL, ReadReg(CmosRtc.Seconds));
        Assert.Equal(0x05UL, ReadReg(CmosRtc.Minutes));
        Assert.Equal(0x21UL, ReadReg(CmosRtc.Hours));
        Assert.Equal(0x14UL, ReadReg(CmosRtc.Day));
        Assert.Equal(0x03UL, ReadReg(CmosRtc.Month));
        Assert.Equal(0x26UL, ReadReg(CmosRtc.Year));
        Assert.Equal(0x20UL, ReadReg(CmosRtc.Century));
        Assert.Equal(0x07UL, ReadReg(CmosRtc.Weekday)); // Saturday
    }

    [Fact]
    public void Status_b_selects_binary_and_12_hour_forms()
    {
        WriteReg(CmosRtc.StatusB, 0x04); // binary, 12-hour
        Assert.Equal(21UL - 12 | 0x80, ReadReg(CmosRtc.Hours));
        Assert.Equal(9UL, ReadReg(CmosRtc.Seconds));
        Assert.Equal(26UL, ReadReg(CmosRtc.Year));
    }

    [Fact]
    public void Status_registers_a_c_d_behave_and_nvram_keeps_bytes_across_a_restart()
    {
        Assert.Equal(0x26UL, ReadReg(CmosRtc.StatusA)); // never "update in progress"
        Assert.Equal(0x80UL, ReadReg(CmosRtc.StatusD));
        WriteReg(CmosRtc.StatusD, 0);
        Assert.Equal(0x80UL, ReadReg(CmosRtc.StatusD)); // read-only
        Assert.Equal(0UL, ReadReg(CmosRtc.StatusC));
        WriteReg(0x40, 0xA5);
        _bench.Restart();
        Assert.Equal(0xA5UL, ReadReg(0x40));
    }

    [Fact]
    public void The_index_port_masks_nmi_with_bit_7_and_is_write_only()
    {
        _bench.Out(CmosRtc.IndexPort, 0x80 | CmosRtc.Minutes);
        Assert.Equal(1, _bench.Device.State.NmiDisabled);
        Assert.Equal(0x05UL, _bench.In(CmosRtc.DataPort));
        Assert.Equal(0xFFUL, _bench.In(CmosRtc.IndexPort));
        _bench.Out(CmosRtc.IndexPort, CmosRtc.Minutes);
        Assert.Equal(0, _bench.Device.State.NmiDisabled);
    }

    [Fact]
    public void Setting_the_time_moves_the_guest_clock_only_and_the_clock_keeps_running()
    {
        WriteReg(CmosRtc.Year, 0x30);
        WriteReg(CmosRtc.Hours, 0x07);
        Assert.Equal(0x30UL, ReadReg(CmosRtc.Year));
        Assert.Equal(0x07UL, ReadReg(CmosRtc.Hours));
        _now = _now.AddMinutes(2);
        Assert.Equal(0x07UL, ReadReg(CmosRtc.Minutes));
        _bench.Restart(); // the offset is device state
        Assert.Equal(0x30UL, ReadReg(CmosRtc.Year));
        WriteReg(CmosRtc.Seconds, 0x9A); // not BCD: ignored
        Assert.Equal(0x09UL, ReadReg(CmosRtc.Seconds));
    }
}
