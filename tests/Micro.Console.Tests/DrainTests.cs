using Micro.Console.Clients;
using Micro.Console.Tests.Support;

namespace Micro.Console.Tests;

/// <summary>A real daemon process drains a guest peer process's console page into the log and to clients.</summary>
public sealed class DrainTests : IDisposable
{
    private readonly ConsoleWorld _world = new();

    public void Dispose() => _world.Dispose();

    [Fact]
    public void GuestOutputReachesTheLogExactly()
    {
        var pages = _world.AddConsole(5);
        _world.StartDaemon("--rate", "0");
        using var guest = _world.StartGuest(pages, "write", "200000", "7");
        Assert.Equal(0, guest.WaitForExit(ConsoleWorld.Timeout));
        var log = _world.WaitForLog("d5", 200_000);
        Assert.Equal(ConsoleWorld.Expected(200_000, 7), log);
    }

    [Fact]
    public void ClientInputIsEchoedByTheGuestIntoTheLogAndBackToTheClient()
    {
        var pages = _world.AddConsole(3);
        _world.StartDaemon();
        using var guest = _world.StartGuest(pages, "echo", "60");
        guest.WaitForOutput("echoing", ConsoleWorld.Timeout);
        using var client = _world.Attach(3, wantInput: true);
        Assert.True(client.HoldsInput);
        Assert.Equal("d3", client.Name);
        client.Input("hello console\n"u8);
        var seen = Collect(client, "hello console\n".Length);
        Assert.Equal("hello console\n"u8.ToArray(), seen);
        Assert.Equal("hello console\n"u8.ToArray(), _world.WaitForLog("d3", seen.Length));
    }

    [Fact]
    public void SigtermStopsTheDaemonCleanlyAfterItHasLoggedWhatWasRead()
    {
        var pages = _world.AddConsole(5);
        var daemon = _world.StartDaemon();
        pages.Ring.WriteOutput("bye"u8);
        pages.Kick.Signal();
        _world.WaitForLog("d5", 3);
        Assert.Equal(0, daemon.Terminate((int)ConsoleWorld.Timeout.TotalMilliseconds));
        Assert.Equal("bye"u8.ToArray(), _world.ReadLog("d5"));
        Assert.False(File.Exists(_world.AttachPath)); // the socket is removed on the way out
    }

    [Fact]
    public void ALogThatCannotBeWrittenLeavesTheOutputInTheRingAndTheDaemonRunning()
    {
        var full = _world.AddConsole(5);
        var fine = _world.AddConsole(6);
        Directory.CreateDirectory(_world.LogDir);
        File.CreateSymbolicLink(_world.LogPath("d5"), "/dev/full"); // every write fails with ENOSPC
        _world.StartDaemon();
        full.Ring.WriteOutput("kept"u8);
        full.Kick.Signal();
        _world.WaitForStderr("d5 (d5): writing");
        Assert.Contains("retrying every second", _world.DaemonStderr, StringComparison.Ordinal);
        Assert.Equal(4, full.Ring.OutputPending.Count); // not consumed: nothing was logged
        fine.Ring.WriteOutput("other"u8);
        fine.Kick.Signal();
        Assert.Equal("other"u8.ToArray(), _world.WaitForLog("d6", 5));
        Assert.Equal("ok", _world.Daemon!.Ping(10_000));
        Assert.Equal(4, full.Ring.OutputPending.Count);
    }

    [Fact]
    public void TheAttachSocketIsForTheOwnerAndGroupOnly()
    {
        _world.AddConsole(1);
        _world.StartDaemon();
        var mode = File.GetUnixFileMode(_world.AttachPath);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, mode);
    }

    /// <summary>Reads Output messages until <paramref name="length"/> bytes arrived.</summary>
    internal static byte[] Collect(ConsoleAttachment client, int length)
    {
        var bytes = new List<byte>();
        var deadline = DateTime.UtcNow + ConsoleWorld.Timeout;
        while (bytes.Count < length)
        {
            Assert.True(DateTime.UtcNow < deadline, $"only {bytes.Count} of {length} bytes arrived");
            var m = client.Receive(1000);
            if (m is null)
                continue;
            Assert.NotEqual(AttachKind.Closed, m.Value.Kind);
            if (m.Value.Kind == AttachKind.Output)
                bytes.AddRange(m.Value.Payload);
        }
        return [.. bytes];
    }
}
