using Micro.RingPeer;
using Micro.Testing;

namespace Micro.Protocol.Tests;

/// <summary>Starts micro-ringpeer (copied next to these tests by the project reference) as a real second process.</summary>
internal static class RingPeerProcess
{
    public static string Dll
    {
        get
        {
            string dll = Path.Combine(AppContext.BaseDirectory, "micro-ringpeer.dll");
            return File.Exists(dll) ? dll : throw new InvalidOperationException($"{dll} is missing: build tests/Micro.Protocol.Tests");
        }
    }

    public static ChildProcess Start(string side, SharedRing ring, uint count, string workload)
        => ChildProcess.Dotnet(Dll, [side, ring.PathForPeer, ring.Memory.Length.ToString(), count.ToString(), workload]);

    /// <summary>Waits for a side to finish on its own and returns its stats; fails with its output otherwise.</summary>
    public static RingStats Finish(ChildProcess process, string side, TimeSpan timeout)
    {
        int exit = process.WaitForExit(timeout);
        Assert.True(exit == 0, $"{side} exited {exit}\nstdout:\n{process.Stdout}\nstderr:\n{process.Stderr}");
        return RingStats.Parse(process.Stdout, side) ?? throw new InvalidOperationException($"{side} printed no stats:\n{process.Stdout}");
    }
}
