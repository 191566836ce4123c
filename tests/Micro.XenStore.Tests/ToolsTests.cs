namespace Micro.XenStore.Tests;

/// <summary>
/// Debian's xenstore-utils, unchanged, against the reference C daemon and ours (found through
/// XENSTORED_PATH): every invocation must give the same exit code, stdout and stderr.
/// </summary>
public sealed class ToolsTests
{
    private static readonly string[][] s_script =
    [
        ["xenstore-write", "/vm/1/name", "guest", "/vm/1/memory", "512"],
        ["xenstore-read", "/vm/1/name"],
        ["xenstore-read", "/vm/1/nope"],
        ["xenstore-read", "-p", "/vm/1/memory"],
        ["xenstore-exists", "/vm/1"],
        ["xenstore-exists", "/vm/2"],
        ["xenstore-list", "/vm/1"],
        ["xenstore-list", "/"],
        ["xenstore-ls", "/vm"],
        ["xenstore-ls", "-f", "/"],
        ["xenstore-chmod", "/vm/1/name", "r5", "b3"],
        ["xenstore-chmod", "-r", "/vm", "n0", "r7"],
        ["xenstore-ls", "-p", "/"],
        ["xenstore-write", "relative/key", "value"],
        ["xenstore-read", "relative/key"],
        ["xenstore-ls", "/local"],
        ["xenstore-rm", "/vm/1/name"],
        ["xenstore-rm", "/vm/1/name"],
        ["xenstore-rm", "/no/such/parent"],
        ["xenstore-rm", "-t", "/vm/1/memory"],
        ["xenstore-ls", "-f"],
        ["xenstore-write", "/bad path", "x"],
        ["xenstore-read", "/trailing/"],
        ["xenstore-rm", "/vm"],
        ["xenstore-ls"],
        ["xenstore-write", "/a/b", "1", "/a/c"],
        ["xenstore-write", "/a/b", "1", "/a/c", "2", "/a/d/e", ""],
        ["xenstore-read", "/a/b", "/a/c", "/a/nope"],
        ["xenstore-read", "-p", "/a/b", "/a/c"],
        ["xenstore-exists", "/a/b", "/a/nope"],
        ["xenstore-list", "-p", "/a"],
        ["xenstore-list", "/a/nope"],
        ["xenstore-ls", "/a/nope"],
        ["xenstore-ls", "-s", "/a"],
        ["xenstore-chmod", "/a/nope", "r1"],
        ["xenstore-chmod", "/a/b", "x1"],
        ["xenstore-chmod", "-u", "/a/d/e", "b4"],
        ["xenstore-ls", "-p", "/a"],
        ["xenstore-rm", "-t", "/a/d/e"],
        ["xenstore-list", "/a"],
        ["xenstore-read", "@introduceDomain"],
        ["xenstore-rm", "/a/b", "/a/c"],
        ["xenstore-list", "/a"],
    ];

    [Fact]
    public void Xenstore_utils_behave_the_same_on_both_daemons()
    {
        using var reference = Daemon.Reference();
        using var ours = Daemon.Ours();
        foreach (string[] cmd in s_script)
        {
            var expected = reference.Tool(cmd[0], cmd[1..]);
            var actual = ours.Tool(cmd[0], cmd[1..]);
            Assert.Equal($"{string.Join(' ', cmd)}: {expected}", $"{string.Join(' ', cmd)}: {actual}");
        }
    }

    [Fact]
    public void Xenstore_watch_reports_the_same_events()
    {
        var outputs = new List<string>();
        // Started one at a time, so a failure leaves no daemon undisposed.
        foreach (var start in new Func<Daemon>[] { Daemon.Reference, () => Daemon.Ours() })
        {
            using (var daemon = start())
            {
                var env = new Dictionary<string, string> { ["XENSTORED_PATH"] = daemon.SocketPath };
                using var watch = new Micro.Testing.ChildProcess(Micro.Testing.Requirements.Tool("xenstore-watch"), ["-n", "4", "/w"], env);
                watch.WaitForOutput("/w", TimeSpan.FromSeconds(20)); // the initial event: the watch is registered
                daemon.Tool("xenstore-write", "/w/a", "1");
                daemon.Tool("xenstore-write", "/elsewhere", "1");
                daemon.Tool("xenstore-write", "/w/b/c", "2");
                daemon.Tool("xenstore-rm", "/w");
                Assert.Equal(0, watch.WaitForExit(TimeSpan.FromSeconds(20)));
                outputs.Add(watch.Stdout + "|" + watch.Stderr);
            }
        }
        Assert.Equal("/w\n/w/a\n/w/b/c\n/w\n|", outputs[0]);
        Assert.Equal(outputs[0], outputs[1]);
    }
}
