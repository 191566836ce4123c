namespace Micro.Bench.Kernel;

/// <summary>The hosted core's benchmarks: <c>micro-bench-kernel [COMMAND]</c>, each a ratio against a baseline measured in the same run.</summary>
public static class Program
{
    private const string Usage = """
        usage: micro-bench-kernel [COMMAND]      (./micro bench kernel [COMMAND])
          all (the default)  every benchmark below, about half a minute
          exits              port-I/O exit handled by the core vs a raw KVM exit loop; goal <= 1.1x
          forward            port-I/O exit forwarded to a device-model process vs raw, device model on
                             the vCPU's CPU and on the other CPU; goal <= 1.6x on one CPU
          hypercall          event-channel send to self vs a raw hypercall exit; goal <= 1.2x
          domains            domains created, run to shutdown and destroyed per second vs bare KVM VMs
        """;

    public static int Main(string[] args)
    {
        string command = args.Length > 0 ? args[0] : "all";
        if (args.Length > 1 || command is "-h" or "--help")
        {
            Console.Error.WriteLine(Usage);
            return args.Length > 1 ? 2 : 0;
        }
        if (!File.Exists("/dev/kvm"))
        {
            Console.Error.WriteLine("micro-bench-kernel: /dev/kvm is missing");
            return 1;
        }
        using var bench = new KernelBenchmarks();
        switch (command)
        {
            case "all":
                bench.Exits();
                bench.Hypercall();
                bench.Forward();
                bench.Domains();
                return 0;
            case "exits":
                bench.Exits();
                return 0;
            case "forward":
                bench.Forward();
                return 0;
            case "hypercall":
                bench.Hypercall();
                return 0;
            case "domains":
                bench.Domains();
                return 0;
            default:
                Console.Error.WriteLine(Usage);
                return 2;
        }
    }
}
