using System.Text.RegularExpressions;
using Micro.RingPeer;
using Micro.Testing;

namespace Micro.Protocol.Tests;

/// <summary>
/// Micro.Protocol is AOT-safe: a NativeAOT publish of a consumer (the ring peer, which reads and writes
/// MessagePack frames on record rings) builds with no trim or AOT warning, and the native program works.
/// The publish runs on a copy of the sources, so it never rewrites the outputs that other tests load.
/// </summary>
public sealed class NativeAotPublishTests : IDisposable
{
    private static readonly string[] Sources = ["Directory.Build.props", "Directory.Packages.props", "global.json", ".editorconfig", "protocol", "tests/peers/ringpeer"];

    private readonly string _dir = Directory.CreateTempSubdirectory("micro-aot-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void TheRingPeerPublishesWithNativeAotWithoutWarningsAndExchangesFrames()
    {
        string root = Requirements.RepoRoot();
        foreach (string source in Sources)
            Copy(Path.Combine(root, source), Path.Combine(_dir, source));
        string output = Path.Combine(_dir, "out");
        using (var publish = new ChildProcess(Requirements.Tool("dotnet"),
            ["publish", Path.Combine(_dir, "tests/peers/ringpeer/Micro.RingPeer.csproj"), "-c", "Release", "-r", "linux-x64",
             "-p:PublishAot=true", "-o", output, "-nologo"],
            new Dictionary<string, string> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1" }))
        {
            int exit = publish.WaitForExit(TimeSpan.FromMinutes(10));
            string log = publish.Stdout + publish.Stderr;
            Assert.True(exit == 0, $"publish failed ({exit}):\n{log}");
            var warnings = Regex.Matches(log, @"warning [A-Z]+[0-9]+[^\n]*").Select(m => m.Value).Distinct().ToList();
            Assert.True(warnings.Count == 0, "trim/AOT warnings:\n" + string.Join('\n', warnings));
        }

        // The native consumer checks every frame, field for field, from the managed producer.
        const uint count = 50_000;
        using var ring = SharedRing.Create("aot-frames", 16 * 1024, 1024);
        using var consumer = new ChildProcess(Path.Combine(output, "micro-ringpeer"), ["consume", ring.PathForPeer, ring.Memory.Length.ToString(), count.ToString(), "frames:0"]);
        using var producer = RingPeerProcess.Start("produce", ring, count, "frames:0");
        RingPeerProcess.Finish(producer, "producer", TimeSpan.FromMinutes(2));
        Assert.Equal(count, RingPeerProcess.Finish(consumer, "consumer", TimeSpan.FromMinutes(2)).Messages);
    }

    private static void Copy(string from, string to)
    {
        if (File.Exists(from))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(from, to);
            return;
        }
        foreach (string file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(from, file);
            string top = relative.Split(Path.DirectorySeparatorChar)[0];
            if (top is "bin" or "obj")
                continue;
            Copy(file, Path.Combine(to, relative));
        }
    }
}
