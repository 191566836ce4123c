using Micro.Testing;

namespace Micro.Protocol.Tests;

/// <summary>The test peer program (tests/peers/servicepeer), started as a real second process.</summary>
internal static class ServiceHostPeer
{
    /// <summary>The peer's dll, built in the same configuration as these tests (the solution build builds it).</summary>
    public static string Dll
    {
        get
        {
            // This assembly sits in .../bin/<Configuration>/<tfm>/; the peer is laid out the same way.
            string tfmDir = Path.GetFileName(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory));
            string configuration = Path.GetFileName(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory))!);
            string dll = Path.Combine(Requirements.RepoRoot(), "tests", "peers", "servicepeer", "bin", configuration, tfmDir, "micro-servicepeer.dll");
            if (!File.Exists(dll))
                throw new InvalidOperationException($"{dll} is missing: build tests/peers/servicepeer (the solution build does)");
            return dll;
        }
    }

    public static ChildProcess Start(IEnumerable<string> args, IDictionary<string, string>? env = null)
        => ChildProcess.Dotnet(Dll, args, env);

    /// <summary>A fresh private directory for socket paths, removed by the caller.</summary>
    public static string TempDirectory() => Directory.CreateTempSubdirectory("micro-test-").FullName;
}
