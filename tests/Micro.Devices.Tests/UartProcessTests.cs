using Micro.Devices.Tests.Support;
using Micro.Guests.Tests;
using Micro.Kernel.Domains;
using Micro.Kernel.Ioreq;
using Micro.Testing;

namespace Micro.Devices.Tests;

/// <summary>The UART device model as its own process, serving a real guest on KVM.</summary>
public sealed class UartProcessTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("micro-uart-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static byte[] Output(DeviceModelLink link)
    {
        var ring = DeviceOutputRing.View(link.Output!);
        var buffer = new byte[DeviceOutputRing.DataSize];
        var r = ring.Read(buffer);
        Assert.True(r.IsOk, r.ToString());
        return buffer[..r.Count];
    }

    [KvmFact]
    public void A_guest_prints_through_the_uart_process_to_the_console_ring_and_the_log()
    {
        using var h = new GuestHarness(UartGuest.Build());
        string log = Path.Combine(_dir, "uart.log");
        var (uart, link) = h.StartDevice("uart", 0x3F8, new DeviceModelGrants { Output = true, Files = [log] });
        Assert.Equal(ShutdownReason.Poweroff, h.Run());
        Assert.Contains("Test result: SUCCESS", h.Domain.Console.Text, StringComparison.Ordinal);
        Assert.Equal(UartGuest.Pattern, Output(link));
        Assert.Equal(UartGuest.Pattern, File.ReadAllBytes(log));
        Assert.Equal(0, uart.Restarts);
    }

    [KvmFact]
    public void The_uart_process_killed_mid_run_restarts_and_no_byte_is_lost_or_doubled()
    {
        using var h = new GuestHarness(UartGuest.Build());
        string log = Path.Combine(_dir, "uart.log");
        var (uart, link) = h.StartDevice("uart", 0x3F8, new DeviceModelGrants { Output = true, Files = [log] }, "--delay-us", "300");
        h.Domain.Start();
        h.WaitUntil(() => DeviceOutputRing.View(link.Output!).Producer >= 60, TimeSpan.FromSeconds(30));
        int killed = uart.Pid;
        Assert.True(h.Kill(uart));
        Assert.Equal(ShutdownReason.Poweroff, h.Wait());
        Assert.Contains("Test result: SUCCESS", h.Domain.Console.Text, StringComparison.Ordinal);
        Assert.Equal(System.Text.Encoding.ASCII.GetString(UartGuest.Pattern), System.Text.Encoding.ASCII.GetString(Output(link)));
        Assert.Equal(UartGuest.Pattern, File.ReadAllBytes(log));
        Assert.Equal(1, uart.Restarts);
        Assert.NotEqual(killed, uart.Pid);
    }
}
