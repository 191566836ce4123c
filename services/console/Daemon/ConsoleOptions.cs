using System.Globalization;
using Micro.Console.Consoles;

namespace Micro.Console.Daemon;

/// <summary>micro-consoled's flags (see services/console/README.md).</summary>
public sealed class ConsoleOptions
{
    public const string Usage = """
        usage: micro-consoled [options]
          -l, --log-dir DIR          where guest-NAME.log files go (default: $MICRO_RUN_DIR/console, else ./console)
          -s, --socket PATH          the attach socket for console clients (default: LOG-DIR/attach.sock)
          -p, --provision PATH       also accept console pages at runtime on this socket
          -x, --xenstore PATH        discover consoles through this xenstored socket (watch /local/domain, @releaseDomain)
              --rate BYTES/MS        per-domain rate limit, xenconsoled's 30000/200 by default; 0 for none
              --client-buffer BYTES  unsent output a client may fall behind before it is dropped (default 262144)
              --backlog BYTES        output replayed to a client that attaches (default 65536)
              --fsync always|never   fdatasync the log and cursor before a ring index moves (default always)
          -h, --help                 this text
        """;

    public string LogDir { get; set; } = "";
    public string AttachSocket { get; set; } = "";
    public string? ProvisionSocket { get; set; }
    public string? XenStoreSocket { get; set; }
    public int RateAllowance { get; set; } = RateLimit.DefaultAllowance;
    public int RatePeriodMs { get; set; } = RateLimit.DefaultPeriodMs;
    public int ClientBuffer { get; set; } = 256 * 1024;
    public int Backlog { get; set; } = 64 * 1024;
    public bool Sync { get; set; } = true;

    /// <summary>Parses the command line; null with <paramref name="error"/> on a bad flag.</summary>
    public static ConsoleOptions? Parse(string[] args, out string error, out bool help)
    {
        var o = new ConsoleOptions();
        error = "";
        help = false;
        for (int i = 0; i < args.Length; i++)
        {
            string flag = args[i];
            if (flag is "-h" or "--help")
            {
                help = true;
                return null;
            }
            if (i + 1 >= args.Length)
            {
                error = $"{flag} needs a value (or is unknown)";
                return null;
            }
            string value = args[++i];
            switch (flag)
            {
                case "-l" or "--log-dir":
                    o.LogDir = value;
                    break;
                case "-s" or "--socket":
                    o.AttachSocket = value;
                    break;
                case "-p" or "--provision":
                    o.ProvisionSocket = value;
                    break;
                case "-x" or "--xenstore":
                    o.XenStoreSocket = value;
                    break;
                case "--rate":
                    if (value == "0")
                    {
                        o.RateAllowance = 0;
                        break;
                    }
                    string[] parts = value.Split('/');
                    if (parts.Length != 2 || !Positive(parts[0], out int bytes) || !Positive(parts[1], out int ms))
                    {
                        error = $"--rate {value}: expected BYTES/MS with positive numbers, or 0";
                        return null;
                    }
                    o.RateAllowance = bytes;
                    o.RatePeriodMs = ms;
                    break;
                case "--client-buffer" or "--backlog":
                    if (!Positive(value, out int size) || size < 8192)
                    {
                        error = $"{flag} {value}: expected a number of bytes, at least 8192";
                        return null;
                    }
                    if (flag == "--backlog")
                        o.Backlog = size;
                    else
                        o.ClientBuffer = size;
                    break;
                case "--fsync":
                    if (value is not ("always" or "never"))
                    {
                        error = $"--fsync {value}: expected always or never";
                        return null;
                    }
                    o.Sync = value == "always";
                    break;
                default:
                    error = $"unknown option '{flag}'";
                    return null;
            }
        }
        if (o.LogDir.Length == 0)
        {
            string? run = Environment.GetEnvironmentVariable("MICRO_RUN_DIR");
            o.LogDir = Path.Combine(string.IsNullOrEmpty(run) ? "." : run, "console");
        }
        if (o.AttachSocket.Length == 0)
            o.AttachSocket = Path.Combine(o.LogDir, "attach.sock");
        return o;
    }

    private static bool Positive(string text, out int value)
        => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value > 0;
}
