using Micro.Guests.Tests;
using Micro.Kernel.Domains;
using Micro.Kernel.Ioreq;
using Micro.Kernel.Supervision;
using Micro.Testing;
using Micro.UartStub;

namespace Micro.Kernel.Tests;

public sealed unsafe class DeviceModelTests : IDisposable
{
    private readonly string _runDir = Directory.CreateTempSubdirectory("micro-dm-").FullName;

    public void Dispose() => Directory.Delete(_runDir, recursive: true);

    private static ServiceSpec UartSpec(int domid, DeviceModelLink link, int delayUs, uint uid = 60101) =>
        new($"uart-d{domid}", Peers.Dotnet, [Peers.Dll("uartstub", "micro-uartstub"), "{socket}", domid.ToString(), delayUs.ToString()], uid, uid, link)
        { InitialBackoff = TimeSpan.FromMilliseconds(20) };

    [KvmFact]
    public void A_device_model_process_receives_the_guests_uart_bytes()
    {
        using var runner = new GuestRunner();
        var d = runner.Create(UartGuest.Build());
        using var link = new DeviceModelLink(d);
        using var supervisor = new ServiceSupervisor(_runDir, runner.Log);
        var uart = supervisor.Start(UartSpec(d.DomId, link, 0));
        Peers.WaitUntil(() => d.Exits.PortIo.TryFind(0x3F8, out _), TimeSpan.FromSeconds(30), () => string.Join('\n', runner.Log.Lines));
        d.Start();
        Assert.Equal(ShutdownReason.Poweroff, GuestRunner.Wait(d));
        Assert.Contains("Test result: SUCCESS", d.Console.Text, StringComparison.Ordinal);
        Assert.Equal(UartGuest.Pattern, UartState.Transmitted(link.State.Pointer, link.State.Length));
        Assert.True(link.Server.Forwarded >= 2 * UartGuest.Pattern.Length, $"{link.Server.Forwarded} ioreqs");
        Assert.Equal(0, uart.Restarts);
        Assert.NotEqual(0, uart.Pid);
    }

    [KvmFact]
    public void A_device_model_killed_mid_run_is_restarted_and_the_guest_continues_with_no_byte_lost()
    {
        using var runner = new GuestRunner();
        var d = runner.Create(UartGuest.Build());
        using var link = new DeviceModelLink(d);
        using var supervisor = new ServiceSupervisor(_runDir, runner.Log);
        var uart = supervisor.Start(UartSpec(d.DomId, link, delayUs: 500));
        Peers.WaitUntil(() => d.Exits.PortIo.TryFind(0x3F8, out _), TimeSpan.FromSeconds(30), () => string.Join('\n', runner.Log.Lines));
        d.Start();

        Peers.WaitUntil(() => UartState.Transmitted(link.State.Pointer, link.State.Length).Length >= 40, TimeSpan.FromSeconds(30), () => runner.Describe(d));
        int killed = uart.Pid;
        Assert.True(supervisor.Signal(uart, 9));
        Assert.Equal(ShutdownReason.Poweroff, GuestRunner.Wait(d));

        Assert.Contains("Test result: SUCCESS", d.Console.Text, StringComparison.Ordinal);
        Assert.Equal(System.Text.Encoding.ASCII.GetString(UartGuest.Pattern), System.Text.Encoding.ASCII.GetString(UartState.Transmitted(link.State.Pointer, link.State.Length)));
        Assert.Equal(1, uart.Restarts);
        Assert.Equal("killed by signal 9", uart.LastExit);
        Assert.NotEqual(killed, uart.Pid);
        Assert.True(runner.Log.Contains($"uart-d{d.DomId}: killed by signal 9"), string.Join('\n', runner.Log.Lines));
    }

    [KvmFact]
    public void A_device_model_may_not_claim_ports_of_another_domain()
    {
        using var runner = new GuestRunner();
        var d = runner.Create(HelloGuest.Build());
        using var link = new DeviceModelLink(d);
        using var supervisor = new ServiceSupervisor(_runDir, runner.Log);
        var spec = UartSpec(d.DomId, link, 0) with { Args = [Peers.Dll("uartstub", "micro-uartstub"), "{socket}", "7", "0"] };
        var uart = supervisor.Start(spec);
        Peers.WaitUntil(() => uart.LastExit.Length > 0, TimeSpan.FromSeconds(30), () => string.Join('\n', runner.Log.Lines));
        Assert.Equal("exit code 3", uart.LastExit);
        Assert.False(d.Exits.PortIo.TryFind(0x3F8, out _));
        Assert.True(runner.Log.Contains("ioreq server registration refused: serves d1, not d7"), string.Join('\n', runner.Log.Lines));
    }
}
