using Micro.Testing;

namespace Micro.Kernel.Tests;

/// <summary>The peer programs of tests/peers, built by the solution (and by this project's references).</summary>
internal static class Peers
{
    public static string Dotnet => Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";

    public static string Dll(string folder, string assembly)
    {
        string config = AppContext.BaseDirectory.Contains("/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";
        string dll = Path.Combine(Requirements.RepoRoot(), "tests", "peers", folder, "bin", config, "net10.0", assembly + ".dll");
        if (!File.Exists(dll))
            throw new InvalidOperationException($"{dll} is missing: build tests/peers/{folder}");
        return dll;
    }

    /// <summary>Waits (bounded) for a condition another thread or process makes true.</summary>
    public static void WaitUntil(Func<bool> condition, TimeSpan timeout, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"condition not met within {timeout.TotalSeconds}s: {describe()}");
            Thread.Sleep(5);
        }
    }
}
