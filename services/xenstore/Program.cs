using Micro.XenStore.Persistence;
using Micro.XenStore.Rings;
using Micro.XenStore.Transport;

namespace Micro.XenStore;

/// <summary>
/// micro-xenstored: the store on its own, in the foreground (like the C daemon's -N), serving Xen's
/// Unix socket at --socket, else $XENSTORED_PATH, else $XENSTORED_RUNDIR/socket.
/// </summary>
public static class Program
{
    private const string Usage = """
        usage: micro-xenstored [options]
          -s, --socket PATH      the Unix socket to serve (default: $XENSTORED_PATH, else $XENSTORED_RUNDIR/socket,
                                 else /var/run/xenstored/socket)
          -d, --state-dir DIR    where the store is kept durable (default: $XENSTORED_RUNDIR/state)
          -r, --ring-socket PATH where guest rings are offered (default: $XENSTORED_RUNDIR/rings)
          -Q, --quota NAME=N     a per-domain limit (nodes, watches, transactions, outstanding,
                                 transaction-nodes, node-size, path-max, permissions); Xen's defaults otherwise
          -F, --pid-file FILE    write the daemon's pid to FILE
          -N, --no-fork          stay in the foreground (the default; accepted for compatibility)
          -h, --help             this text
        """;

    public static int Main(string[] args)
    {
        string? socket = null;
        string? pidFile = null;
        string? stateDir = null;
        string? ringSocket = null;
        var quota = new Store.Quota();
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string? Next() => i + 1 < args.Length ? args[++i] : null;
            switch (a)
            {
                case "-s" or "--socket":
                    socket = Next();
                    if (socket is null)
                        return Fail("--socket needs a path");
                    break;
                case "-d" or "--state-dir":
                    stateDir = Next();
                    if (stateDir is null)
                        return Fail("--state-dir needs a directory");
                    break;
                case "-r" or "--ring-socket":
                    ringSocket = Next();
                    if (ringSocket is null)
                        return Fail("--ring-socket needs a path");
                    break;
                case "-Q" or "--quota":
                    string? q = Next();
                    if (q is null || !quota.TrySet(q))
                        return Fail($"--quota needs NAME=N with a known name, got '{q}'");
                    break;
                case "-F" or "--pid-file":
                    pidFile = Next();
                    if (pidFile is null)
                        return Fail("--pid-file needs a file");
                    break;
                case "-N" or "--no-fork":
                    break;
                case "-h" or "--help":
                    Console.WriteLine(Usage);
                    return 0;
                default:
                    return Fail($"unknown option '{a}'");
            }
        }
        socket ??= SocketPath.Resolve();
        stateDir ??= Path.Combine(SocketPath.RunDir(), "state");
        ringSocket ??= Path.Combine(SocketPath.RunDir(), "rings");

        var (service, state) = PersistentState.Open(stateDir, quota);
        using var _ = state;
        // Bound before Xen's socket: once clients can connect, rings can be offered too.
        using var attach = new RingAttachListener(ringSocket);
        using var server = new UnixSocketServer(service, socket);
        using var rings = new GuestRings(service, server, state);
        server.ExtraSources.Add((attach.Fd, () => attach.AcceptOne(rings)));
        server.BeforeReplies = () =>
        {
            rings.RecordProgress();
            state.Commit(service);
        };
        server.AfterReplies = rings.Flush;
        if (pidFile is not null)
            File.WriteAllText(pidFile, Environment.ProcessId + "\n");
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            server.Stop();
        };
        using var term = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, ctx =>
        {
            ctx.Cancel = true;
            server.Stop();
        });
        Console.WriteLine($"micro-xenstored: serving {socket}");
        server.Run();
        return 0;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine("micro-xenstored: " + message);
        Console.Error.WriteLine(Usage);
        return 2;
    }
}
