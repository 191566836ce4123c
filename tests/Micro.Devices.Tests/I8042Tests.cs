using Micro.Devices.I8042;
using Micro.Devices.Tests.Support;

namespace Micro.Devices.Tests;

public sealed class I8042Tests : IDisposable
{
    private const ushort Data = I8042Controller.DataPort, Command = I8042Controller.CommandPort;
    private readonly DeviceBench<I8042Controller> _bench = new(() => new I8042Controller());

    public void Dispose() => _bench.Dispose();

    [Fact]
    public void Self_test_answers_0x55_through_the_output_buffer()
    {
        Assert.Equal(0UL, _bench.In(Command) & I8042Controller.StatusOutputFull);
        _bench.Out(Command, 0xAA);
        Assert.Equal((ulong)I8042Controller.StatusOutputFull, _bench.In(Command) & I8042Controller.StatusOutputFull);
        Assert.Equal(0x55UL, _bench.In(Data));
        Assert.Equal(0UL, _bench.In(Command) & I8042Controller.StatusOutputFull);
        Assert.NotEqual(0UL, _bench.In(Command) & I8042Controller.StatusSystem);
    }

    [Fact]
    public void The_command_byte_is_read_and_written_through_0x20_and_0x60()
    {
        _bench.Out(Command, 0x20);
        Assert.Equal(0x45UL, _bench.In(Data));
        _bench.Out(Command, 0x60);
        Assert.NotEqual(0UL, _bench.In(Command) & I8042Controller.StatusCommand);
        _bench.Out(Data, 0x61);
        _bench.Out(Command, 0x20);
        Assert.Equal(0x61UL, _bench.In(Data));
    }

    [Fact]
    public void The_keyboard_acknowledges_reset_identify_and_argument_commands()
    {
        _bench.Out(Data, 0xFF);
        Assert.Equal(0xFAUL, _bench.In(Data));
        Assert.Equal(0xAAUL, _bench.In(Data));
        _bench.Out(Data, 0xF2);
        Assert.Equal([0xFAUL, 0xABUL, 0x83UL], new[] { _bench.In(Data), _bench.In(Data), _bench.In(Data) });
        _bench.Out(Data, 0xED);
        _bench.Out(Data, 0x07);
        Assert.Equal([0xFAUL, 0xFAUL], new[] { _bench.In(Data), _bench.In(Data) });
        _bench.Out(Data, 0xEE);
        Assert.Equal(0xEEUL, _bench.In(Data));
    }

    [Fact]
    public void Command_0xfe_pulses_the_reset_line_and_asks_for_a_reboot()
    {
        Assert.Equal(-1, _bench.OutShutdown(Command, 0xAD));
        Assert.Equal(1, _bench.OutShutdown(Command, 0xFE));
        Assert.Equal(-1, _bench.OutShutdown(Command, 0xFF)); // pulses nothing
        Assert.Contains(_bench.Log, l => l.Contains("reset line", StringComparison.Ordinal));
    }

    [Fact]
    public void Writing_the_output_port_with_bit_0_clear_resets_too()
    {
        Assert.Equal(-1, _bench.OutShutdown(Command, 0xD1));
        Assert.Equal(1, _bench.OutShutdown(Data, 0x02));
        _bench.Out(Command, 0xD0);
        Assert.Equal(0x02UL, _bench.In(Data));
    }

    [Fact]
    public void An_unread_output_queue_stays_bounded()
    {
        for (int i = 0; i < 100; i++)
            _bench.Out(Command, 0xAA);
        int n = 0;
        while ((_bench.In(Command) & I8042Controller.StatusOutputFull) != 0 && n < 1000)
        {
            _bench.In(Data);
            n++;
        }
        Assert.Equal(I8042State.QueueDepth, n);
    }
}
