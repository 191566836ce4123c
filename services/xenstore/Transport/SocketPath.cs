namespace Micro.XenStore.Transport;

/// <summary>
/// Where Xen's socket lives, found as libxenstore finds it: $XENSTORED_PATH, else
/// $XENSTORED_RUNDIR/socket, else /var/run/xenstored/socket.
/// </summary>
public static class SocketPath
{
    public const string DefaultRunDir = "/var/run/xenstored";

    public static string RunDir()
    {
        string? dir = Environment.GetEnvironmentVariable("XENSTORED_RUNDIR");
        return string.IsNullOrEmpty(dir) ? DefaultRunDir : dir;
    }

    public static string Resolve()
    {
        string? path = Environment.GetEnvironmentVariable("XENSTORED_PATH");
        return string.IsNullOrEmpty(path) ? Path.Combine(RunDir(), "socket") : path;
    }
}
