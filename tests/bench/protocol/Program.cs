namespace Micro.Bench.Protocol;

/// <summary>The protocol benchmarks and the ring demo: <c>micro-bench-protocol COMMAND [ARGS]</c>.</summary>
public static class Program
{
    private static readonly string Usage = $"""
        usage: micro-bench-protocol [COMMAND [ARGS]]      (./micro bench protocol [COMMAND [ARGS]])
          all (the default)  every benchmark below with its defaults: about a minute, more on a busy machine
          ring [--quick]     raw record-ring throughput between two processes, 64 B and 1 KiB records,
                             against a C ring of the same layout compiled here with gcc; goal C#/C >= 0.8;
                             with notifications per million records
          {RoundTripOptions.Usage}
                             framed request/response round trip over two rings with event channels,
                             same CPU and two CPUs, against a raw eventfd ping-pong; goal <= 1.5x;
                             then a one-way stream of framed messages: notifications per million messages
          ring-demo [COUNT]  the ring demo of ./micro: COUNT verified records between two processes
        """;

    public static int Main(string[] args)
    {
        string command = args.Length > 0 ? args[0] : "all";
        string[] rest = args.Length > 0 ? args[1..] : [];
        switch (command)
        {
            case "all":
                if (rest.Length > 0)
                    return UsageError();
                int ring = RingBenchmark.Run([]);
                Console.WriteLine();
                return ring != 0 ? ring : RoundTripBenchmark.Run([]);
            case "ring-demo":
                return RingDemo.Run(rest);
            case "ring":
                return RingBenchmark.Run(rest);
            case "roundtrip":
                try
                {
                    return RoundTripBenchmark.Run(rest);
                }
                catch (ArgumentException e)
                {
                    Console.Error.WriteLine(e.Message);
                    return 2;
                }
            case "help" or "-h" or "--help":
                Console.WriteLine(Usage);
                return 0;
            default:
                return UsageError();
        }
    }

    private static int UsageError()
    {
        Console.Error.WriteLine(Usage);
        return 2;
    }
}
