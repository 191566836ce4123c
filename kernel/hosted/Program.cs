namespace Micro.Kernel;

public static class Program
{
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("micro-core: the hosted core is not built yet");
        return 2;
    }
}
