namespace Micro.XenStore;

public static class Program
{
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("micro-xenstored: not built yet");
        return 2;
    }
}
