using System.Globalization;
using Micro.Testing;

namespace Micro.Toolstack.Tests;

public class DownTests
{
    [KvmFact]
    public void Micro_down_stops_every_process_and_leaves_no_socket_or_domain()
    {
        Requirements.Kvm();
        using var micro = new MicroInstance();
        using (var client = micro.Client())
        {
            string path = micro.Config("left", "name='left'\nkernel='builtin:hello'\nmemory=16\n");
            var reply = client.Call(new Management.ManagementRequest(Management.ManagementVerb.Create, File: path, Config: File.ReadAllBytes(path), Paused: true));
            Assert.True(reply.Ok, reply.Error);
        }
        MicroInstance.WaitUntil(() => File.Exists(Path.Combine(micro.RunDir, "services.status")), TimeSpan.FromSeconds(30), () => "no services.status");
        int[] pids = [micro.Core.Pid, .. File.ReadAllLines(Path.Combine(micro.RunDir, "services.status")).Select(l => int.Parse(l.Split('\t')[1], CultureInfo.InvariantCulture))];
        Assert.DoesNotContain(0, pids);

        using var down = new ChildProcess("bash", [Path.Combine(Requirements.RepoRoot(), "micro"), "down"], new Dictionary<string, string> { ["MICRO_RUN_DIR"] = micro.RunDir });
        Assert.Equal(0, down.WaitForExit(TimeSpan.FromSeconds(60)));
        Assert.Contains("micro: down", down.Stdout, StringComparison.Ordinal);

        Assert.True(micro.Core.HasExited);
        Assert.Equal(0, micro.Stop(TimeSpan.FromSeconds(1)));
        Assert.All(pids, pid => Assert.False(Directory.Exists($"/proc/{pid}"), $"pid {pid} is still running"));
        Assert.Equal("", Sockets(micro.RunDir));
        Assert.False(File.Exists(Path.Combine(micro.RunDir, "core.pid")));
        Assert.Empty(Directory.GetFiles(Path.Combine(micro.RunDir, "console")));
        Assert.Contains("micro-core daemon: stopped", micro.Core.Stdout, StringComparison.Ordinal);
    }

    private static string Sockets(string dir)
    {
        using var find = new ChildProcess("find", [dir, "-type", "s"]);
        Assert.Equal(0, find.WaitForExit(TimeSpan.FromSeconds(10)));
        return find.Stdout.Trim();
    }
}
