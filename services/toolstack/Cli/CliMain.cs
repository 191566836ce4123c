using System.Text.Json;
using Micro.Toolstack.Config;

namespace Micro.Toolstack.Cli;

/// <summary>Dispatches the <c>micro</c> verbs.</summary>
public static class CliMain
{
    public const string Usage = """
        usage: micro VERB [ARGS]
          create [-n] [-c] [-p] FILE [KEY=VALUE...]   create a domain from an xl.cfg (-n: print the parsed config as JSON, create nothing)
        """;

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 0)
        {
            stderr.WriteLine(Usage);
            return 2;
        }
        return args[0] switch
        {
            "create" => Create(args[1..], stdout, stderr),
            "help" or "-h" or "--help" => Help(stdout),
            _ => Unknown(args[0], stderr),
        };
    }

    private static int Help(TextWriter stdout)
    {
        stdout.WriteLine(Usage);
        return 0;
    }

    private static int Unknown(string verb, TextWriter stderr)
    {
        stderr.WriteLine($"micro: unknown verb '{verb}'");
        stderr.WriteLine(Usage);
        return 2;
    }

    private static int Create(string[] args, TextWriter stdout, TextWriter stderr)
    {
        bool dryRun = false;
        string? file = null;
        var overrides = new List<string>();
        foreach (string arg in args)
        {
            if (arg == "-n")
                dryRun = true;
            else if (arg is "-c" or "-p")
                continue;
            else if (arg.StartsWith('-'))
                return Fail(stderr, $"create: unknown option '{arg}'");
            else if (file is null)
                file = arg;
            else
                overrides.Add(arg);
        }
        if (file is null)
            return Fail(stderr, "create: no configuration file");
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
        return Fail(stderr, "create: the toolstack daemon is not implemented yet");
    }

    private static int Fail(TextWriter stderr, string message)
    {
        stderr.WriteLine("micro: " + message);
        return 2;
    }
}
