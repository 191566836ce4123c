using System.Text;
using Micro.Devices.Host;
using Micro.Devices.Tests.Support;
using Micro.Devices.Uart;
using Micro.Kernel.Ioreq;

namespace Micro.Devices.Tests;

public sealed class UartTests : IDisposable
{
    private const ushort Thr = 0x3F8, Ier = 0x3F9, Iir = 0x3FA, Lcr = 0x3FB, Mcr = 0x3FC, Lsr = 0x3FD, Msr = 0x3FE, Scr = 0x3FF;
    private readonly string _dir = Directory.CreateTempSubdirectory("micro-uart-").FullName;
    private readonly DeviceBench<Uart16550> _bench;

    public UartTests() => _bench = new(() => new Uart16550(), 0, Path.Combine(_dir, "uart.log"));

    public void Dispose()
    {
        _bench.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void After_power_on_the_transmitter_is_empty_and_no_interrupt_is_pending()
    {
        Assert.Equal(0x60UL, _bench.In(Lsr));
        Assert.Equal(0x01UL, _bench.In(Iir));
        Assert.Equal(0x03UL, _bench.In(Lcr));
        Assert.Equal(0xB0UL, _bench.In(Msr));
    }

    [Fact]
    public void Transmitted_bytes_reach_the_output_ring_and_the_log_in_order()
    {
        byte[] text = Encoding.ASCII.GetBytes("hello, console\n");
        foreach (byte b in text)
            _bench.Out(Thr, b);
        Assert.Equal(text, _bench.DrainOutput());
        Assert.Equal(text, File.ReadAllBytes(Path.Combine(_dir, "uart.log")));
        Assert.Equal((ulong)text.Length, _bench.Device.State.TxTotal);
    }

    [Fact]
    public void The_divisor_latch_hides_thr_and_ier_while_dlab_is_set()
    {
        _bench.Out(Lcr, 0x83);
        _bench.Out(Thr, 0x01); // DLL
        _bench.Out(Ier, 0x02); // DLM
        Assert.Equal(0x01UL, _bench.In(Thr));
        Assert.Equal(0x02UL, _bench.In(Ier));
        _bench.Out(Lcr, 0x03);
        Assert.Equal(0x00UL, _bench.In(Ier));
        Assert.Empty(_bench.DrainOutput());
        Assert.Equal(0x01, _bench.Device.State.Dll);
        Assert.Equal(0x02, _bench.Device.State.Dlm);
    }

    [Fact]
    public void Enabling_the_transmitter_interrupt_raises_it_and_reading_iir_acknowledges_it()
    {
        _bench.Out(Ier, 0x02);
        Assert.Equal(0x02UL, _bench.In(Iir));
        Assert.Equal(0x01UL, _bench.In(Iir));
        _bench.Out(Thr, (byte)'x'); // drains at once, so the transmitter empties and interrupts again
        Assert.Equal(0x02UL, _bench.In(Iir));
    }

    [Fact]
    public void Fifo_mode_shows_in_iir_and_the_scratch_register_keeps_its_value()
    {
        _bench.Out(Iir, 0xC7); // FCR: enable, clear both, trigger 14
        Assert.Equal(0xC1UL, _bench.In(Iir));
        _bench.Out(Scr, 0x5A);
        Assert.Equal(0x5AUL, _bench.In(Scr));
    }

    [Fact]
    public void Loopback_feeds_the_receiver_with_data_ready_and_overrun_past_the_fifo()
    {
        _bench.Out(Iir, 0x01); // FIFOs on
        _bench.Out(Mcr, 0x10 | 0x03); // loopback, RTS, DTR
        Assert.Equal(0x30UL, _bench.In(Msr) & 0xF0); // CTS and DSR follow RTS and DTR
        for (int i = 0; i < UartState.FifoDepth + 1; i++)
            _bench.Out(Thr, (ulong)('a' + i));
        ulong lsr = _bench.In(Lsr);
        Assert.Equal(Uart16550.LsrDr, (byte)(lsr & Uart16550.LsrDr));
        Assert.Equal(Uart16550.LsrOe, (byte)(lsr & Uart16550.LsrOe));
        Assert.Equal(0UL, _bench.In(Lsr) & Uart16550.LsrOe); // reading LSR clears the error
        _bench.Out(Ier, 0x01);
        Assert.Equal(0x04UL, _bench.In(Iir) & 0x0F);
        var received = new StringBuilder();
        while ((_bench.In(Lsr) & Uart16550.LsrDr) != 0)
            received.Append((char)_bench.In(Thr));
        Assert.Equal("abcdefghijklmnop", received.ToString());
        Assert.Empty(_bench.DrainOutput()); // loopback sends nothing out
    }

    [Fact]
    public void A_full_console_holds_bytes_in_the_fifo_and_the_transmitter_reports_busy_until_it_drains()
    {
        _bench.Out(Iir, 0x01);
        int capacity = (int)DeviceOutputRing.DataSize;
        for (int i = 0; i < capacity; i++)
            _bench.Out(Thr, (byte)i);
        Assert.Equal(0x60UL, _bench.In(Lsr) & 0x60);
        _bench.Out(Thr, 0xAA);
        _bench.Out(Thr, 0xBB);
        Assert.Equal(0UL, _bench.In(Lsr) & 0x60); // two bytes wait: the transmitter is busy
        Assert.Equal(capacity, _bench.DrainOutput().Length);
        _bench.Device.Tick();
        Assert.Equal(0x60UL, _bench.In(Lsr) & 0x60);
        Assert.Equal(new byte[] { 0xAA, 0xBB }, _bench.DrainOutput());
        Assert.Equal((long)capacity + 2, new FileInfo(Path.Combine(_dir, "uart.log")).Length);
    }

    [Fact]
    public void A_request_repeated_after_a_restart_is_answered_from_the_journal_not_done_twice()
    {
        _bench.Out(Iir, 0x01);
        _bench.Out(Mcr, 0x10);
        _bench.Out(Thr, (byte)'p');
        _bench.Out(Thr, (byte)'q');
        ulong first = _bench.Next(IoAccess.Read(Thr, 1)); // pops 'p'
        _bench.Restart();
        ulong again = _bench.Repeat(IoAccess.Read(Thr, 1)); // the same request, still pending: not a second pop
        Assert.Equal((ulong)'p', first);
        Assert.Equal(first, again);
        Assert.Equal((ulong)'q', _bench.In(Thr));
    }

    [Fact]
    public void A_restarted_uart_resumes_its_registers_and_its_output_position()
    {
        _bench.Out(Lcr, 0x1B);
        _bench.Out(Scr, 0x77);
        foreach (byte b in "abc"u8)
            _bench.Out(Thr, b);
        _bench.Restart();
        Assert.Equal(0x1BUL, _bench.In(Lcr));
        Assert.Equal(0x77UL, _bench.In(Scr));
        foreach (byte b in "def"u8)
            _bench.Out(Thr, b);
        Assert.Equal("abcdef"u8.ToArray(), _bench.DrainOutput());
        Assert.Equal("abcdef"u8.ToArray(), File.ReadAllBytes(Path.Combine(_dir, "uart.log")));
    }

    [Fact]
    public void A_consumer_index_ahead_of_the_producer_stalls_output_and_is_reported_not_trusted()
    {
        _bench.SetOutputConsumer(12345);
        _bench.Out(Thr, (byte)'z');
        Assert.Equal(0UL, _bench.In(Lsr) & 0x40);
        Assert.Equal(0u, _bench.OutputRing.Producer);
        Assert.Contains(_bench.Log, l => l.Contains("inconsistent", StringComparison.Ordinal));
    }

    [Fact]
    public void Typed_bytes_arrive_through_the_receiver_fifo_and_survive_a_restart()
    {
        _bench.Out(Iir, 0x01); // FIFOs on
        Assert.Equal(40, _bench.Type(Encoding.ASCII.GetBytes("typed for the guest, forty bytes long...")));
        _bench.Device.Tick();
        Assert.Equal((ulong)Uart16550.LsrDr, _bench.In(Lsr) & Uart16550.LsrDr);
        Assert.Equal((uint)UartState.FifoDepth, _bench.InputConsumed); // the FIFO holds 16; the rest waits in the ring
        var received = new StringBuilder();
        for (int i = 0; i < 10; i++)
            received.Append((char)_bench.In(Thr));
        _bench.Restart();
        while ((_bench.In(Lsr) & Uart16550.LsrDr) != 0)
            received.Append((char)_bench.In(Thr));
        Assert.Equal("typed for the guest, forty bytes long...", received.ToString());
        Assert.Equal(40u, _bench.InputConsumed);
    }
}
