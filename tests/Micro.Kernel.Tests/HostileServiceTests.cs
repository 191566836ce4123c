using Micro.Core.Domains;
using Micro.Guests.Tests;
using Micro.Kernel.Supervision;
using Micro.Testing;

namespace Micro.Kernel.Tests;

public sealed class HostileServiceTests : IDisposable
{
    private readonly string _runDir = Directory.CreateTempSubdirectory("micro-hostile-").FullName;

    public void Dispose() => Directory.Delete(_runDir, recursive: true);

    [KvmFact]
    public void Garbage_from_a_service_gets_errors_and_log_lines_while_the_core_serves_a_guest()
    {
        using var runner = new GuestRunner();
        var guest = runner.Create(HelloGuest.Build());
        using var link = new ServiceDomainLink(runner.Core, ServiceRole.Console);
        using var supervisor = new ServiceSupervisor(_runDir, runner.Log);
        var service = supervisor.Start(new ServiceSpec("hostile", Peers.Dotnet,
            [Peers.Dll("echoservice", "micro-echoservice"), "--hostile", "{socket}", guest.DomId.ToString()], 60103, 60103, link));
        guest.Start();
        Peers.WaitUntil(() => service.LastExit.Length > 0, TimeSpan.FromSeconds(30), () => string.Join('\n', runner.Log.Lines));
        runner.WaitAll(guest);

        string log = string.Join('\n', runner.Log.Lines);
        Assert.True(service.LastExit == "exit code 0", log);
        Assert.Contains("hostile: malformed frame", log, StringComparison.Ordinal);
        Assert.Contains($"d{link.Domain.Id}: refusal: domain_destroy", log, StringComparison.Ordinal);
        Assert.Contains($"d{link.Domain.Id}: HelloReply is not a request a service may make", log, StringComparison.Ordinal);
        Assert.Contains("Test result: SUCCESS", guest.Console.Text, StringComparison.Ordinal);
    }
}
