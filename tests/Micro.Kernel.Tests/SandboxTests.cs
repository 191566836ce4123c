using Micro.Core.Domains;
using Micro.Kernel.Supervision;
using Micro.Testing;

namespace Micro.Kernel.Tests;

public sealed class SandboxTests : IDisposable
{
    private readonly string _runDir = Directory.CreateTempSubdirectory("micro-sandbox-").FullName;

    public void Dispose() => Directory.Delete(_runDir, recursive: true);

    [KvmFact]
    public void A_sandboxed_service_has_its_own_uid_no_capabilities_no_kvm_no_ptrace_and_a_seccomp_filter()
    {
        Assert.True(Sandbox.IsRoot, "the supervisor drops privileges only when it has them: run the tests as root");
        using var runner = new GuestRunner();
        using var link = new ServiceDomainLink(runner.Core, ServiceRole.Console);
        using var supervisor = new ServiceSupervisor(_runDir, runner.Log);
        var probe = supervisor.Start(new ServiceSpec("probe", Peers.Dotnet, [Peers.Dll("echoservice", "micro-echoservice"), "--probe"], 60104, 60105, link)
        {
            InitialBackoff = TimeSpan.FromSeconds(30), // one run is all this test needs
        });
        Peers.WaitUntil(() => probe.LastExit.Length > 0, TimeSpan.FromSeconds(30), () => string.Join('\n', runner.Log.Lines));
        string line = runner.Log.Lines.FirstOrDefault(l => l.Contains("probe: uid=", StringComparison.Ordinal)) ?? string.Join('\n', runner.Log.Lines);

        Assert.Equal("exit code 0", probe.LastExit);
        Assert.Contains("uid=60104 gid=60105", line, StringComparison.Ordinal);
        Assert.Contains("kvm=errno 13", line, StringComparison.Ordinal);      // EACCES: not root, not in group kvm
        Assert.Contains("ptrace=errno 1", line, StringComparison.Ordinal);    // EPERM
        Assert.Contains("unshare=errno 1", line, StringComparison.Ordinal);   // EPERM: no namespaces of its own
        Assert.Contains("NoNewPrivs:1", line, StringComparison.Ordinal);
        Assert.Contains("Seccomp:2", line, StringComparison.Ordinal);         // a filter is installed
        Assert.Contains("CapEff:0000000000000000", line, StringComparison.Ordinal);
    }
}
