using System.Globalization;

namespace Micro.Toolstack.Daemon;

/// <summary>The toolstack daemon's command line.</summary>
public sealed class DaemonOptions
{
    public const string Usage = """
        usage: micro-toolstack daemon --control SOCKET --listen SOCKET --console-dir DIR [options]
          --control SOCKET     the core's control socket for this service (the core's supervisor passes it)
          --listen SOCKET      where the micro CLI connects
          --console-dir DIR    where the core writes each domain's console text (dN.log)
          --xenstore SOCKET    xenstored's socket; domains are kept there as libxl keeps them
          --allow-uid UID      besides root, the one uid whose CLI may connect
          --store-domid N      the xenstore domain's domid (remote end of guests' store event channels)
          --console-domid N    the console domain's domid (remote end of guests' console event channels)
        """;

    public string ControlSocket { get; private set; } = "";
    public string ListenSocket { get; private set; } = "";
    public string ConsoleDir { get; private set; } = "";
    public string? XenStoreSocket { get; private set; }
    public uint? AllowUid { get; private set; }
    public ushort? StoreDomid { get; private set; }
    public ushort? ConsoleDomid { get; private set; }

    public static DaemonOptions? Parse(IReadOnlyList<string> args, out string? error)
    {
        var o = new DaemonOptions();
        error = null;
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            string? value = i + 1 < args.Count ? args[++i] : null;
            if (value is null)
            {
                error = $"{a} needs a value";
                return null;
            }
            switch (a)
            {
                case "--control": o.ControlSocket = value; break;
                case "--listen": o.ListenSocket = value; break;
                case "--console-dir": o.ConsoleDir = value; break;
                case "--xenstore": o.XenStoreSocket = value; break;
                case "--allow-uid" when uint.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out uint uid): o.AllowUid = uid; break;
                case "--store-domid" when ushort.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out ushort d): o.StoreDomid = d; break;
                case "--console-domid" when ushort.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out ushort d): o.ConsoleDomid = d; break;
                default:
                    error = $"unknown option or bad value: {a} {value}";
                    return null;
            }
        }
        if (o.ControlSocket.Length == 0 || o.ListenSocket.Length == 0 || o.ConsoleDir.Length == 0)
        {
            error = "--control, --listen and --console-dir are required";
            return null;
        }
        return o;
    }
}
