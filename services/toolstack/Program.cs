using Micro.Toolstack.Cli;

namespace Micro.Toolstack;

/// <summary>micro-toolstack: the <c>micro</c> CLI (xl's verbs) and, with <c>daemon</c>, the toolstack daemon.</summary>
public static class Program
{
    public static int Main(string[] args) => CliMain.Run(args, Console.Out, Console.Error);
}
