using Micro.Core.Domains;
using Micro.Guests.Tests;
using Micro.Kernel.Supervision;
using Micro.Testing;

namespace Micro.Kernel.Tests;

public sealed class EventChannelTests : IDisposable
{
    private readonly string _runDir = Directory.CreateTempSubdirectory("micro-evtchn-").FullName;

    public void Dispose() => Directory.Delete(_runDir, recursive: true);

    [KvmFact]
    public void Two_guests_and_a_service_exchange_notifications_in_every_direction_and_unmask_re_raises()
    {
        using var runner = new GuestRunner();
        var a = runner.Create(EventChannelGuests.BuildA());
        var b = runner.Create(EventChannelGuests.BuildB());
        using var echo = new ServiceDomainLink(runner.Core, ServiceRole.Console);
        Assert.Equal((EventChannelGuests.A, EventChannelGuests.B, EventChannelGuests.Service), (a.DomId, b.DomId, echo.Domain.Id));
        using var supervisor = new ServiceSupervisor(_runDir, runner.Log);
        var service = supervisor.Start(new ServiceSpec("echo", Peers.Dotnet,
            [Peers.Dll("echoservice", "micro-echoservice"), "{socket}", a.DomId.ToString(), b.DomId.ToString()], 60102, 60102, echo));

        a.Start();
        b.Start();
        runner.WaitAll(a, b);
        Assert.True(a.Console.Text.Contains("Test result: SUCCESS", StringComparison.Ordinal), runner.Describe(a));
        Assert.True(b.Console.Text.Contains("Test result: SUCCESS", StringComparison.Ordinal), runner.Describe(b));
        Assert.Contains("B: unmask re-raised the upcall", b.Console.Text, StringComparison.Ordinal);
        // Both guests' events reached the service (their echoes came back); two may share one upcall.
        Assert.True(echo.Upcalls >= 1, $"{echo.Upcalls} upcalls to the service");
        Assert.Equal(0, service.Restarts);
    }
}
