namespace Micro.Bench.Protocol;

/// <summary>The protocol benchmarks and the ring demo: <c>micro-bench-protocol COMMAND [ARGS]</c>.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        string command = args.Length > 0 ? args[0] : "ring-demo";
        string[] rest = args.Length > 0 ? args[1..] : [];
        switch (command)
        {
            case "ring-demo":
                return RingDemo.Run(rest);
            case "ring":
                return RingBenchmark.Run(rest);
            // Further benchmarks add one case here (and their own files), e.g. "roundtrip".
            default:
                Console.Error.WriteLine("usage: micro-bench-protocol ring-demo [COUNT] | ring [--quick]");
                return 2;
        }
    }
}
