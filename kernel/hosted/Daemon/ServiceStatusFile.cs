using System.Globalization;
using System.Text;
using Micro.Kernel.Supervision;

namespace Micro.Kernel.Daemon;

/// <summary>
/// Publishes the supervisor's records for <c>micro services</c>: one tab-separated line per service
/// (name, pid or 0, restarts, last exit), replaced atomically whenever it changes.
/// </summary>
public static class ServiceStatusFile
{
    public static void Write(string path, IReadOnlyList<ServiceRecord> records, ref string last)
    {
        var text = new StringBuilder();
        foreach (var r in records)
            text.Append(CultureInfo.InvariantCulture, $"{r.Name}\t{r.Pid}\t{r.Restarts}\t{r.LastExit.Replace('\t', ' ').Replace('\n', ' ')}\n");
        string now = text.ToString();
        if (now == last)
            return;
        string tmp = path + ".tmp";
        File.WriteAllText(tmp, now);
        File.Move(tmp, path, overwrite: true);
        last = now;
    }
}
