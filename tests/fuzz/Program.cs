namespace Micro.Fuzz;

public static class Program
{
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("micro-fuzz: no targets yet");
        return 2;
    }
}
