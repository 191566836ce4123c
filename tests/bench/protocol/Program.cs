namespace Micro.Bench.Protocol;

public static class Program
{
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("micro-bench-protocol: no benchmarks yet");
        return 2;
    }
}
