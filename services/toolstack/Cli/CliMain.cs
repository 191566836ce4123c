using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Micro.Toolstack.Config;
using Micro.Toolstack.Daemon;
using Micro.Toolstack.Management;

namespace Micro.Toolstack.Cli;

/// <summary>The <c>micro</c> verbs, modelled on xl's, and <c>daemon</c>, which runs the toolstack daemon.</summary>
public static class CliMain
{
    public const string Usage = """
        usage: micro VERB [ARGS]
          create [-n] [-c] [-p] FILE [KEY=VALUE...]  create a domain from an xl.cfg
                                   -n: print the parsed configuration as JSON and create nothing
                                   -c: attach to its console; -p: leave it paused
          list [--json] [DOMAIN...]  Name ID Mem VCPUs State Time(s), as xl list
          console DOMAIN           show the domain's console until it ends (Ctrl-] detaches)
          destroy DOMAIN           stop the domain at once and remove every trace of it
          shutdown DOMAIN          ask the guest to power off (control/shutdown in xenstore)
          reboot DOMAIN            ask the guest to reboot
          pause DOMAIN / unpause DOMAIN
          info DOMAIN              the domain and its configuration as JSON
          services [--json]        every service domain: state, pid, restarts, last exit
        DOMAIN is a name or a domid. The toolstack is found at $MICRO_TOOLSTACK_SOCKET, else $MICRO_RUN_DIR/toolstack/socket.
        """;

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 0)
        {
            stderr.WriteLine(Usage);
            return 2;
        }
        string[] rest = args[1..];
        if (rest.Contains("-h") || rest.Contains("--help"))
            return Help(stdout);
        try
        {
            return args[0] switch
            {
                "create" => Create(rest, stdout, stderr),
                "list" => List(rest, stdout, stderr),
                "console" when rest.Length == 1 => WithClient(c => ConsoleAttach.Run(c, rest[0], stdout, stderr)),
                "destroy" or "shutdown" or "reboot" or "pause" or "unpause" when rest.Length == 1 => Simple(args[0], rest[0], stderr),
                "info" when rest.Length == 1 => Info(rest[0], stdout, stderr),
                "services" => ServicesTable.Print(rest.Contains("--json"), stdout, stderr),
                "daemon" => RunDaemon(rest, stderr),
                "help" or "-h" or "--help" => Help(stdout),
                _ => Fail(stderr, $"unknown verb or wrong arguments: {string.Join(' ', args)}\n{Usage}"),
            };
        }
        catch (IOException e)
        {
            return Fail(stderr, e.Message, 1);
        }
    }

    private static int Help(TextWriter stdout)
    {
        stdout.WriteLine(Usage);
        return 0;
    }

    private static int WithClient(Func<ManagementClient, int> body)
    {
        using var client = ManagementClient.Connect(ManagementClient.DefaultPath());
        return body(client);
    }

    private static int Create(string[] args, TextWriter stdout, TextWriter stderr)
    {
        bool dryRun = false, console = false, paused = false;
        string? file = null;
        var overrides = new List<string>();
        foreach (string arg in args)
        {
            switch (arg)
            {
                case "-n": dryRun = true; break;
                case "-c": console = true; break;
                case "-p": paused = true; break;
                case var o when o.StartsWith('-'): return Fail(stderr, $"create: unknown option '{o}'");
                case var f when file is null: file = f; break;
                default: overrides.Add(arg); break;
            }
        }
        if (file is null)
            return Fail(stderr, "create: no configuration file");
        stderr.WriteLine($"Parsing config from {file}");
        var result = XlConfig.Load(file, overrides);
        foreach (var diagnostic in result.Diagnostics)
            stderr.WriteLine(diagnostic);
        if (!result.Ok)
            return 1;
        if (dryRun)
        {
            stdout.WriteLine(JsonSerializer.Serialize(result.Config!, ConfigJson.Default.DomainConfig));
            return 0;
        }
        byte[] bytes = File.ReadAllBytes(file);
        if (bytes.Length > ManagementCodec.MaxConfigBytes)
            return Fail(stderr, $"create: {file} is {bytes.Length} bytes; the toolstack accepts at most {ManagementCodec.MaxConfigBytes}", 1);
        return WithClient(client =>
        {
            // With -c the domain starts only once its console is open, so no output is missed.
            var reply = client.Call(new ManagementRequest(ManagementVerb.Create, File: file, Config: bytes, Overrides: overrides, Paused: paused || console));
            if (!reply.Ok)
            {
                foreach (string d in reply.Diagnostics.Where(d => d.Contains(": error: ", StringComparison.Ordinal)))
                    stderr.WriteLine(d);
                return Fail(stderr, "create: " + reply.Error, 1);
            }
            var domain = reply.Domains[0];
            stderr.WriteLine($"Created domain {domain.Name} (domid {domain.Domid})");
            return console ? ConsoleAttach.Run(client, domain.Domid.ToString(CultureInfo.InvariantCulture), stdout, stderr, unpause: !paused) : 0;
        });
    }

    private static int List(string[] args, TextWriter stdout, TextWriter stderr)
    {
        bool json = args.Contains("--json");
        string[] names = [.. args.Where(a => a != "--json")];
        return WithClient(client =>
        {
            var reply = client.Call(new ManagementRequest(ManagementVerb.List));
            if (!reply.Ok)
                return Fail(stderr, "list: " + reply.Error, 1);
            var domains = reply.Domains.Where(d => names.Length == 0 || names.Contains(d.Name) || names.Contains(d.Domid.ToString(CultureInfo.InvariantCulture))).ToList();
            foreach (string missing in names.Where(n => !domains.Exists(d => d.Name == n || d.Domid.ToString(CultureInfo.InvariantCulture) == n)))
                return Fail(stderr, $"list: no domain '{missing}'", 1);
            if (json)
                stdout.WriteLine(JsonSerializer.Serialize(domains.ConvertAll(ListEntry.From), CliJson.Default.ListListEntry));
            else
                DomainTable.Print(domains, stdout);
            return 0;
        });
    }

    private static int Info(string target, TextWriter stdout, TextWriter stderr) => WithClient(client =>
    {
        var reply = client.Call(new ManagementRequest(ManagementVerb.Info, target));
        if (!reply.Ok)
            return Fail(stderr, "info: " + reply.Error, 1);
        var d = reply.Domains[0];
        stdout.WriteLine(JsonSerializer.Serialize(new DomainDetails(ListEntry.From(d), d.Uuid, d.ConsoleLog, JsonDocument.Parse(d.ConfigJson).RootElement), CliJson.Default.DomainDetails));
        return 0;
    });

    private static int Simple(string verb, string target, TextWriter stderr) => WithClient(client =>
    {
        var v = verb switch
        {
            "destroy" => ManagementVerb.Destroy,
            "shutdown" => ManagementVerb.Shutdown,
            "reboot" => ManagementVerb.Reboot,
            "pause" => ManagementVerb.Pause,
            _ => ManagementVerb.Unpause,
        };
        var reply = client.Call(new ManagementRequest(v, target));
        return reply.Ok ? 0 : Fail(stderr, $"{verb}: {reply.Error}", 1);
    });

    private static int RunDaemon(string[] args, TextWriter stderr)
    {
        var options = DaemonOptions.Parse(args, out string? error);
        if (options is null)
            return Fail(stderr, $"daemon: {error}\n{DaemonOptions.Usage}");
        using var stop = new CancellationTokenSource();
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var intr = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        using var daemon = new ToolstackDaemon(options);
        daemon.Run(stop.Token);
        return 0;
    }

    private static int Fail(TextWriter stderr, string message, int code = 2)
    {
        stderr.WriteLine("micro: " + message);
        return code;
    }
}
