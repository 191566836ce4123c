namespace Micro.Bench.Kernel;

/// <summary>The peer programs of tests/peers, found from the repository root.</summary>
internal static class Peers
{
    public static string Dotnet => Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";

    public static string Dll(string folder, string assembly)
    {
        string config = AppContext.BaseDirectory.Contains("/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";
        string dll = Path.Combine(Micro.Testing.Requirements.RepoRoot(), "tests", "peers", folder, "bin", config, "net10.0", assembly + ".dll");
        return File.Exists(dll) ? dll : throw new InvalidOperationException($"{dll} is missing: build tests/peers/{folder}");
    }
}
