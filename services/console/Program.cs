using Micro.Console.Daemon;
using Micro.Console.Discovery;
using Micro.Protocol.Hosting;
using Micro.Protocol.Os;

namespace Micro.Console;

/// <summary>
/// micro-consoled: xenconsoled for Micro. Runs under <see cref="ServiceHost"/> (console pages arrive as
/// capabilities) or on its own (pages arrive on the provisioning socket).
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var options = ConsoleOptions.Parse(args, out string error, out bool help);
        if (help)
        {
            System.Console.WriteLine(ConsoleOptions.Usage);
            return 0;
        }
        if (options is null)
        {
            System.Console.Error.WriteLine($"micro-consoled: {error}");
            System.Console.Error.WriteLine(ConsoleOptions.Usage);
            return 2;
        }
        static void Say(string line) => System.Console.Error.WriteLine($"micro-consoled: {line}");
        ServiceHost? host = null;
        ConsoleDaemon? daemon = null;
        try
        {
            host = ServiceHost.Start("consoled");
            DomainDirectory directory = options.XenStoreSocket is null ? new StandaloneDirectory() : new XenStoreDirectory(options.XenStoreSocket, Say);
            daemon = new ConsoleDaemon(options, directory, Say);
            daemon.AddCapabilities(host.Capabilities);
        }
        catch (Exception e) when (e is IOException or ArgumentException or TimeoutException or PeerProtocolException or UnauthorizedAccessException)
        {
            Say($"cannot start: {e.Message}");
            daemon?.Dispose();
            host?.Dispose();
            return 1;
        }
        using (host)
        using (daemon)
        {
            System.Console.WriteLine($"micro-consoled: attach socket {options.AttachSocket}, logs in {options.LogDir}");
            return host.Run(daemon.Run);
        }
    }
}
