namespace Micro.Bench;

public static class Program
{
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("micro-bench: no benchmarks yet");
        return 2;
    }
}
