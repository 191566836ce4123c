using System.Globalization;
using System.Text.Json;

namespace Micro.Toolstack.Cli;

/// <summary>
/// <c>micro services</c>: the core's daemon keeps <c>$MICRO_RUN_DIR/services.status</c> current (one
/// tab-separated line per service: name, pid, restarts, last exit); this prints it.
/// </summary>
public static class ServicesTable
{
    public const string FileName = "services.status";

    public static int Print(bool json, TextWriter stdout, TextWriter stderr)
    {
        string? run = Environment.GetEnvironmentVariable("MICRO_RUN_DIR");
        string path = Path.Combine(string.IsNullOrEmpty(run) ? "/run/micro" : run, FileName);
        if (!File.Exists(path))
        {
            stderr.WriteLine($"micro: services: {path} does not exist (is Micro up? ./micro up)");
            return 1;
        }
        var entries = new List<ServiceEntry>();
        foreach (string line in File.ReadAllLines(path))
        {
            string[] f = line.Split('\t');
            if (f.Length != 4 || !int.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
                || !int.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out int restarts))
            {
                stderr.WriteLine($"micro: services: malformed line in {path}: {line}");
                return 1;
            }
            entries.Add(new ServiceEntry(f[0], pid > 0 ? "running" : "down", pid, restarts, f[3]));
        }
        if (json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(entries, CliJson.Default.ListServiceEntry));
            return 0;
        }
        stdout.WriteLine($"{"Name",-16}{"State",-9}{"Pid",8}{"Restarts",10}  Last exit");
        foreach (var e in entries)
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{e.Name,-16}{e.State,-9}{e.Pid,8}{e.Restarts,10}  {e.LastExit}"));
        return 0;
    }
}
