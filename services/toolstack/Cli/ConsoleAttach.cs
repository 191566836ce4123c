using Micro.Toolstack.Management;

namespace Micro.Toolstack.Cli;

/// <summary>
/// Attaches to a domain's console: copies its console text as it is written, until the domain is gone
/// or shut down, or the user types Ctrl-] (when stdin is a terminal).
/// </summary>
public static class ConsoleAttach
{
    private const char Detach = '\u001d';

    /// <summary>
    /// Returns 0 after the domain ended or the user detached, 1 if the domain never showed up.
    /// <paramref name="unpause"/>: the domain was created paused so that no output is missed; it is
    /// unpaused once the console is open (as <c>create -c</c> does).
    /// </summary>
    public static int Run(ManagementClient client, string target, TextWriter stdout, TextWriter stderr, bool unpause = false)
    {
        var first = client.Call(new ManagementRequest(ManagementVerb.Info, target));
        if (!first.Ok || first.Domains.Count == 0)
        {
            stderr.WriteLine("micro: console: " + first.Error);
            return 1;
        }
        var domain = first.Domains[0];
        using var detached = new ManualResetEventSlim();
        if (!Console.IsInputRedirected)
        {
            new Thread(() =>
            {
                while (Console.ReadKey(intercept: true).KeyChar != Detach) { }
                detached.Set();
            }) { IsBackground = true, Name = "console keys" }.Start();
        }
        using var log = OpenWhenPresent(domain.ConsoleLog, detached);
        if (unpause)
        {
            var started = client.Call(new ManagementRequest(ManagementVerb.Unpause, target));
            if (!started.Ok)
            {
                stderr.WriteLine("micro: console: " + started.Error);
                return 1;
            }
        }
        byte[] buffer = new byte[64 * 1024];
        var output = Console.OpenStandardOutput();
        bool ended = false;
        while (!detached.IsSet)
        {
            int n = log?.Read(buffer) ?? 0;
            if (n > 0)
            {
                stdout.Flush();
                output.Write(buffer, 0, n);
                output.Flush();
                continue;
            }
            if (ended)
                break; // drained after the end
            var info = client.Call(new ManagementRequest(ManagementVerb.Info, domain.Domid.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            ended = !info.Ok || info.Domains[0].State.Contains('s', StringComparison.Ordinal) || info.Domains[0].State.Contains('c', StringComparison.Ordinal);
            if (!ended)
                detached.Wait(20);
        }
        return 0;
    }

    private static FileStream? OpenWhenPresent(string path, ManualResetEventSlim detached)
    {
        for (int i = 0; i < 250 && !detached.IsSet; i++)
        {
            try
            {
                return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            }
            catch (FileNotFoundException)
            {
                detached.Wait(20);
            }
        }
        return null;
    }
}
