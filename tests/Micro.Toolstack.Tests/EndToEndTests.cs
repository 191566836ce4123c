using System.Text.Json;
using Micro.Protocol.Os;
using Micro.Testing;
using Micro.Toolstack.Management;

namespace Micro.Toolstack.Tests;

/// <summary>One Micro (core daemon, xenstored, consoled, toolstack) shared by the end-to-end tests of a class.</summary>
public sealed class SharedMicro : IDisposable
{
    private readonly Lazy<MicroInstance> _instance = new(() => new MicroInstance());

    public MicroInstance Instance => _instance.Value;

    public void Dispose()
    {
        if (_instance.IsValueCreated)
            _instance.Value.Dispose();
    }
}

/// <summary>The acceptance tests of the toolstack, through the real CLI, daemon, core, KVM and xenstored.</summary>
public class EndToEndTests(SharedMicro shared) : IClassFixture<SharedMicro>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private MicroInstance Micro
    {
        get
        {
            Requirements.Kvm();
            return shared.Instance;
        }
    }

    private static string HelloConfig(string name, string extra = "") => $"name = '{name}'\nkernel = 'builtin:hello'\nmemory = 16\n{extra}\n";

    private static DomainStatus? Find(ManagementClient client, string name) =>
        client.Call(new ManagementRequest(ManagementVerb.List)).Domains.FirstOrDefault(d => d.Name == name);

    private static DomainStatus Create(ManagementClient client, string path, bool paused = false)
    {
        var reply = client.Call(new ManagementRequest(ManagementVerb.Create, File: path, Config: File.ReadAllBytes(path), Paused: paused));
        Assert.True(reply.Ok, reply.Error + "\n" + string.Join("\n", reply.Diagnostics));
        return reply.Domains[0];
    }

    private static IReadOnlyList<string> Domains(Micro.XenStore.Client.XenStoreClient xs) =>
        xs.Exists("/local/domain") ? xs.Directory("/local/domain") : [];

    [KvmFact]
    public void Create_with_console_shows_the_guests_console_text()
    {
        var (code, stdout, stderr) = Micro.Cli("create", Path.Combine(Requirements.RepoRoot(), "examples", "hello.cfg"), "-c", "name='hello-console'");
        Assert.True(code == 0, stderr);
        Assert.Contains("Hello from a Micro test guest", stdout, StringComparison.Ordinal);
        Assert.Contains("Test result: SUCCESS", stdout, StringComparison.Ordinal);
        Assert.Contains("Created domain hello-console", stderr, StringComparison.Ordinal);
        using var client = Micro.Client();
        MicroInstance.WaitUntil(() => Find(client, "hello-console") is null, Timeout, () => "on_poweroff = destroy did not remove the domain");
    }

    [KvmFact]
    public void List_shows_the_domain_in_xls_columns_and_as_json()
    {
        string path = Micro.Config("listed", HelloConfig("listed"));
        Assert.Equal(0, Micro.Cli("create", "-p", path).ExitCode);
        var (code, table, _) = Micro.Cli("list");
        Assert.Equal(0, code);
        string[] lines = table.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["Name", "ID", "Mem", "VCPUs", "State", "Time(s)"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        string[] row = Assert.Single(lines, l => l.StartsWith("listed ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(("16", "1", "--p---"), (row[2], row[3], row[4]));

        var json = JsonDocument.Parse(Micro.Cli("list", "--json", "listed").Stdout).RootElement;
        var entry = Assert.Single(json.EnumerateArray());
        Assert.Equal("listed", entry.GetProperty("name").GetString());
        Assert.Equal(row[1], entry.GetProperty("domid").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(0, Micro.Cli("destroy", "listed").ExitCode);
    }

    [KvmFact]
    public void Destroy_removes_the_domain_its_console_and_its_xenstore_subtree_and_fires_the_watches()
    {
        using var xs = Micro.XenStore();
        xs.Watch("@introduceDomain", "intro");
        xs.Watch("@releaseDomain", "release");
        Assert.Equal("intro", xs.NextEvent(Timeout).Token); // a new watch fires once at once
        Assert.Equal("release", xs.NextEvent(Timeout).Token);
        using var client = Micro.Client();
        var d = Create(client, Micro.Config("doomed", HelloConfig("doomed", "uuid = '0f2b4c6d-8e0a-4b2c-9d4e-6f8a0b2c4d6e'")), paused: true);
        Assert.Equal("intro", xs.NextEvent(Timeout).Token);
        string dom = $"/local/domain/{d.Domid}";
        Assert.Equal("doomed", xs.ReadString(dom + "/name"));
        Assert.Equal("/vm/0f2b4c6d-8e0a-4b2c-9d4e-6f8a0b2c4d6e", xs.ReadString(dom + "/vm"));
        Assert.Equal("16384", xs.ReadString(dom + "/memory/target"));
        Assert.Equal("doomed", xs.ReadString("/vm/0f2b4c6d-8e0a-4b2c-9d4e-6f8a0b2c4d6e/name"));
        Assert.True(xs.IsDomainIntroduced(d.Domid));
        Assert.True(File.Exists(d.ConsoleLog));

        Assert.Equal(0, Micro.Cli("destroy", "doomed").ExitCode);
        Assert.Equal("release", xs.NextEvent(Timeout).Token);
        Assert.Null(Find(client, "doomed"));
        Assert.Null(xs.TryReadString(dom));
        Assert.Null(xs.TryReadString("/vm/0f2b4c6d-8e0a-4b2c-9d4e-6f8a0b2c4d6e"));
        Assert.False(xs.IsDomainIntroduced(d.Domid));
        Assert.False(File.Exists(d.ConsoleLog));
        var (code, _, stderr) = Micro.Cli("destroy", "doomed");
        Assert.Equal(1, code);
        Assert.Contains("no domain 'doomed'", stderr, StringComparison.Ordinal);
    }

    [KvmFact]
    public void On_poweroff_preserve_keeps_the_shut_down_domain_until_destroyed()
    {
        using var client = Micro.Client();
        var d = Create(client, Micro.Config("kept", HelloConfig("kept", "on_poweroff = 'preserve'")));
        MicroInstance.WaitUntil(() => Find(client, "kept")?.State == "---s--", Timeout, () => $"state {Find(client, "kept")?.State}");
        Assert.Equal(d.Domid, Find(client, "kept")!.Domid);
        Assert.Contains("Test result: SUCCESS", File.ReadAllText(d.ConsoleLog), StringComparison.Ordinal);
        Assert.Equal(0, Micro.Cli("destroy", "kept").ExitCode);
        Assert.Null(Find(client, "kept"));
    }

    [KvmFact]
    public void On_crash_preserve_shows_a_crashed_domain()
    {
        using var client = Micro.Client();
        Create(client, Micro.Config("crasher", "name = 'crasher'\nkernel = 'builtin:triple-fault'\nmemory = 8\non_crash = 'preserve'\n"));
        MicroInstance.WaitUntil(() => Find(client, "crasher")?.State == "----c-", Timeout, () => $"state {Find(client, "crasher")?.State}");
        Assert.Equal(0, Micro.Cli("destroy", "crasher").ExitCode);
    }

    [KvmFact]
    public void On_crash_restart_builds_the_domain_again_until_it_restarts_too_often()
    {
        using var client = Micro.Client();
        var first = Create(client, Micro.Config("phoenix", "name = 'phoenix'\nkernel = 'builtin:triple-fault'\nmemory = 8\non_crash = 'restart'\n"));
        // The guest crashes at once, every time: each crash rebuilds it (same uuid) until the toolstack's limit stops it.
        MicroInstance.WaitUntil(() => Micro.Core.Stdout.Contains("'phoenix' restarted 20 times within a minute; not restarting again", StringComparison.Ordinal),
            Timeout, () => Micro.Core.Stdout);
        Assert.True(Micro.Core.Stdout.Split('\n').Count(l => l.Contains("'phoenix': crash; on_crash = restart", StringComparison.Ordinal)) > 20);
        Assert.True(Micro.Core.Stdout.Split('\n').Count(l => l.Contains("'phoenix' (8 MiB, 1 vcpus", StringComparison.Ordinal)) > 20);
        Assert.Null(Find(client, "phoenix"));
        using var xs = Micro.XenStore();
        Assert.Null(xs.TryReadString("/vm/" + first.Uuid));
    }

    [KvmFact]
    public void A_config_with_an_error_is_rejected_with_file_line_column_and_nothing_is_created()
    {
        using var xs = Micro.XenStore();
        var before = Domains(xs);
        string path = Micro.Config("broken", "name = 'broken'\nmemory = lots\nkernel = 'builtin:hello'\n");
        var (code, _, stderr) = Micro.Cli("create", path);
        Assert.Equal(1, code);
        Assert.Contains($"{path}:2:10: error: expected a value (a quoted string, a number or a list), found the bare word 'lots'", stderr, StringComparison.Ordinal);
        Assert.Equal(before, Domains(xs));
        using var client = Micro.Client();
        Assert.Null(Find(client, "broken"));
    }

    [KvmFact]
    public void Errors_found_by_the_daemon_or_the_core_leave_nothing_behind()
    {
        using var xs = Micro.XenStore();
        using var client = Micro.Client();
        var before = Domains(xs);
        string[] consolesBefore = Directory.GetFiles(Path.Combine(Micro.RunDir, "console"));

        var unknown = client.Call(new ManagementRequest(ManagementVerb.Create, File: "x.cfg", Config: "name='ghost'\nkernel='builtin:nope'\n"u8.ToArray()));
        Assert.False(unknown.Ok);
        Assert.StartsWith("no built-in guest 'nope'", unknown.Error, StringComparison.Ordinal);

        var tooBig = client.Call(new ManagementRequest(ManagementVerb.Create, File: "x.cfg", Config: "name='huge'\nkernel='builtin:hello'\nmemory=4096\n"u8.ToArray()));
        Assert.False(tooBig.Ok);
        Assert.Contains("the hosted core gives a domain 2 to 2048 MiB", tooBig.Error, StringComparison.Ordinal);

        var bad = client.Call(new ManagementRequest(ManagementVerb.Create, File: "x.cfg", Config: "name='bad'\nvcpus=0\n"u8.ToArray()));
        Assert.False(bad.Ok);
        Assert.Contains("x.cfg:2:7: error: 'vcpus' is 0; it must be from 1 to 128", bad.Diagnostics);

        Assert.Equal(before, Domains(xs));
        Assert.Equal(consolesBefore, Directory.GetFiles(Path.Combine(Micro.RunDir, "console")));
        Assert.DoesNotContain(client.Call(new ManagementRequest(ManagementVerb.List)).Domains, d => d.Name is "ghost" or "huge" or "bad");
    }

    [KvmFact]
    public void A_second_domain_with_the_same_name_is_refused()
    {
        using var client = Micro.Client();
        string path = Micro.Config("twin", HelloConfig("twin"));
        Create(client, path, paused: true);
        var again = client.Call(new ManagementRequest(ManagementVerb.Create, File: path, Config: File.ReadAllBytes(path), Paused: true));
        Assert.False(again.Ok);
        Assert.StartsWith("a domain named 'twin' already exists", again.Error, StringComparison.Ordinal);
        Assert.Equal(0, Micro.Cli("destroy", "twin").ExitCode);
    }

    [KvmFact]
    public void Garbage_on_the_management_socket_is_answered_and_the_daemon_keeps_serving()
    {
        using var socket = UnixSocket.Connect(Micro.ToolstackSocket);
        var random = new Random(7);
        byte[] reply = new byte[ManagementCodec.MaxMessageBytes];
        for (int i = 0; i < 50; i++)
        {
            byte[] junk = new byte[random.Next(1, 300)];
            random.NextBytes(junk);
            socket.Send(junk);
            var r = socket.Receive(reply, Span<int>.Empty, 10_000);
            Assert.Equal(ReceiveStatus.Message, r.Status);
            var decoded = ManagementCodec.DecodeReply(reply.AsMemory(0, r.Length), out _, out string? error);
            Assert.True(decoded is { Ok: false }, error);
            Assert.StartsWith("malformed request at byte ", decoded!.Error, StringComparison.Ordinal);
        }
        using var client = Micro.Client();
        Assert.True(client.Call(new ManagementRequest(ManagementVerb.List)).Ok);
    }

    [KvmFact]
    public void Shutdown_and_reboot_ask_the_guest_through_xenstore()
    {
        using var client = Micro.Client();
        var d = Create(client, Micro.Config("polite", HelloConfig("polite")), paused: true);
        using var xs = Micro.XenStore();
        Assert.Equal(0, Micro.Cli("shutdown", "polite").ExitCode);
        Assert.Equal("poweroff", xs.ReadString($"/local/domain/{d.Domid}/control/shutdown"));
        Assert.Equal(0, Micro.Cli("reboot", d.Domid.ToString(System.Globalization.CultureInfo.InvariantCulture)).ExitCode);
        Assert.Equal("reboot", xs.ReadString($"/local/domain/{d.Domid}/control/shutdown"));
        Assert.Equal(0, Micro.Cli("destroy", "polite").ExitCode);
    }

    [KvmFact]
    public void Services_lists_every_service_domain()
    {
        MicroInstance.WaitUntil(() => File.Exists(Path.Combine(Micro.RunDir, "services.status")), Timeout, () => "no services.status");
        var (code, stdout, stderr) = Micro.Cli("services", "--json");
        Assert.True(code == 0, stderr);
        var services = JsonDocument.Parse(stdout).RootElement.EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!, e => e);
        Assert.Contains("xenstored", services.Keys);
        Assert.Contains("toolstack", services.Keys);
        Assert.All(services.Values, s => Assert.Equal("running", s.GetProperty("state").GetString()));
    }
}
