using Micro.Guests.Tests;
using Micro.Kernel.Core;
using Micro.Kernel.Domains;
using Micro.Kernel.Kvm;

namespace Micro.Kernel;

/// <summary>
/// micro-core: the hosted core on KVM.
///
/// Run a test guest by hand (its console and the core's log go to stderr/stdout):
///   ./micro core run-guest hello
///   ./micro core list-guests
/// The exit code is 0 when the guest powered off after printing "Test result: SUCCESS".
/// Run the core with every service domain (what ./micro up does):
///   micro-core daemon --run-dir DIR --root REPO [--allow-uid UID]
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public static class Program
{
    public static int Main(string[] args)
    {
        switch (args.Length > 0 ? args[0] : "help")
        {
            case "list-guests":
                foreach (string name in GuestCatalog.All.Keys)
                    Console.WriteLine(name);
                return 0;
            case "run-guest" when args.Length == 2:
                return RunGuest(args[1]);
            case "daemon":
                return Daemon.CoreDaemon.Run(args[1..]);
            default:
                Console.Error.WriteLine("usage: micro-core run-guest NAME | list-guests | daemon --run-dir DIR --root REPO [--allow-uid UID]");
                return 2;
        }
    }

    private static int RunGuest(string name)
    {
        if (!GuestCatalog.All.TryGetValue(name, out var build))
        {
            Console.Error.WriteLine($"micro-core: no guest named '{name}' (try list-guests)");
            return 2;
        }
        var image = build();
        using var core = new HostedCore(new KernelLog(Console.Error));
        using var kvm = new KvmSystem();
        using var domain = new HostedDomain(core, kvm, consoleEcho: Console.Out);
        domain.Load(image.Bytes, image.LoadAddress, image.Entry);
        domain.Start();
        var reason = domain.WaitForShutdown(TimeSpan.FromSeconds(60));
        if (reason is null)
        {
            Console.Error.WriteLine($"micro-core: {name} did not shut down within 60 s");
            return 1;
        }
        bool success = reason == ShutdownReason.Poweroff && domain.Console.Text.Contains("Test result: SUCCESS", StringComparison.Ordinal);
        return success ? 0 : 1;
    }
}
