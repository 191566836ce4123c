using System.Text;
using Micro.Console.Clients;
using Micro.Console.Tests.Support;
using Micro.Protocol.Os;

namespace Micro.Console.Tests;

/// <summary>Clients on the attach socket: backlog then live, many readers, one input holder, slow readers dropped.</summary>
public sealed class AttachTests : IDisposable
{
    private readonly ConsoleWorld _world = new();

    public void Dispose() => _world.Dispose();

    [Fact]
    public void ALateClientGetsTheBacklogThenLiveOutputAndSeveralReadersSeeTheSame()
    {
        var pages = _world.AddConsole(2);
        _world.StartDaemon("--rate", "0");
        using (var first = _world.StartGuest(pages, "write", "10000", "21"))
            Assert.Equal(0, first.WaitForExit(ConsoleWorld.Timeout));
        _world.WaitForLog("d2", 10_000);

        using var a = _world.Attach(2);
        using var b = _world.Attach(2);
        var backlogA = UntilLive(a);
        var backlogB = UntilLive(b);
        Assert.Equal(ConsoleWorld.Expected(10_000, 21), backlogA);
        Assert.Equal(backlogA, backlogB);

        using (var second = _world.StartGuest(pages, "write", "50000", "22"))
            Assert.Equal(0, second.WaitForExit(ConsoleWorld.Timeout));
        var expected = ConsoleWorld.Expected(50_000, 22);
        Assert.Equal(expected, DrainTests.Collect(a, 50_000));
        Assert.Equal(expected, DrainTests.Collect(b, 50_000));
    }

    [Fact]
    public void OneClientAtATimeHoldsTheInput()
    {
        var pages = _world.AddConsole(4);
        _world.StartDaemon();
        using var guest = _world.StartGuest(pages, "echo", "60");
        guest.WaitForOutput("echoing", ConsoleWorld.Timeout);
        using var writer = _world.Attach(4, wantInput: true);
        Assert.True(writer.HoldsInput);
        using (var second = _world.Attach(4, wantInput: true))
        {
            Assert.False(second.HoldsInput);
            var refusal = NextOf(second, AttachKind.Error);
            Assert.Contains("is held by client pid", refusal, StringComparison.Ordinal);
            UntilLive(second);
            second.Input("not mine"u8);
            Assert.Contains("does not hold the console's input", NextOf(second, AttachKind.Error), StringComparison.Ordinal);
        }
        UntilLive(writer);
        writer.Input("mine\n"u8);
        Assert.Equal("mine\n"u8.ToArray(), DrainTests.Collect(writer, 5));
        writer.Dispose();

        // Once the holder detaches, the next client that asks gets the input (the daemon sees the detach first).
        var deadline = DateTime.UtcNow + ConsoleWorld.Timeout;
        while (true)
        {
            using var next = _world.Attach(4, wantInput: true);
            if (next.HoldsInput)
                break;
            Assert.True(DateTime.UtcNow < deadline, "the input was never released");
            Thread.Sleep(10);
        }
    }

    [Fact]
    public void ASlowReaderIsDisconnectedWhileTheGuestAndOtherReadersGoOn()
    {
        const int total = 3 << 20;
        var pages = _world.AddConsole(6);
        // The rate limit paces the guest so that a reader that keeps reading always keeps up; one that stops does not.
        _world.StartDaemon("--rate", "40000/20", "--client-buffer", "1048576", "--fsync", "never");
        using var slow = _world.Attach(6); // never reads
        using var fast = _world.Attach(6);
        UntilLive(fast);
        byte[]? got = null;
        Exception? failure = null;
        var reader = new Thread(() =>
        {
            try
            {
                got = DrainTests.Collect(fast, total);
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        reader.Start();
        using var guest = _world.StartGuest(pages, "write", total.ToString(), "23");
        Assert.Equal(0, guest.WaitForExit(ConsoleWorld.Timeout));
        Assert.True(reader.Join(ConsoleWorld.Timeout));
        Assert.Null(failure);
        Assert.Equal(ConsoleWorld.Expected(total, 23), got);
        Assert.Equal(total, _world.WaitForLog("d6", total).Length);
        _world.WaitForStderr("disconnected: slow reader");

        // The slow client finds, after what its socket buffered, that it was closed.
        var last = (AttachKind.Output, Array.Empty<byte>());
        for (int i = 0; i < 100_000; i++)
        {
            var m = slow.Receive(5000);
            Assert.NotNull(m);
            last = m.Value;
            if (last.Item1 == AttachKind.Closed)
                break;
        }
        Assert.Equal(AttachKind.Closed, last.Item1);
    }

    [Fact]
    public void UnknownDomainsAndMalformedPacketsAreRefusedWithAReason()
    {
        _world.AddConsole(1);
        _world.StartDaemon();
        var e = Assert.Throws<IOException>(() => _world.Attach(42));
        Assert.Contains("no console for domain 42", e.Message, StringComparison.Ordinal);

        using var raw = UnixSocket.Connect(_world.AttachPath);
        raw.Send([0x01, 9, 0, 0, 1, 0, 0, 0]);
        var buffer = new byte[4096];
        var r = raw.Receive(buffer, [], 10_000);
        Assert.Equal(ReceiveStatus.Message, r.Status);
        Assert.Equal((byte)AttachKind.Closed, buffer[0]);
        Assert.Contains("protocol error: attach protocol version 9", Encoding.UTF8.GetString(buffer, 1, r.Length - 1), StringComparison.Ordinal);
        Assert.Equal(ReceiveStatus.Closed, raw.Receive(buffer, [], 10_000).Status);

        using var early = UnixSocket.Connect(_world.AttachPath);
        early.Send([0x02, (byte)'x']);
        r = early.Receive(buffer, [], 10_000);
        Assert.Contains("input before attach", Encoding.UTF8.GetString(buffer, 1, r.Length - 1), StringComparison.Ordinal);

        using var withFd = UnixSocket.Connect(_world.AttachPath);
        using var stray = EventFd.Create();
        withFd.Send(AttachMessage.Attach(1, false), [stray.Fd]);
        r = withFd.Receive(buffer, [], 10_000);
        Assert.Equal((byte)AttachKind.Closed, buffer[0]);
        Assert.Contains("protocol error: peer sent 1 fds", Encoding.UTF8.GetString(buffer, 1, r.Length - 1), StringComparison.Ordinal);

        Assert.Equal("ok", _world.Daemon!.Ping(10_000)); // still serving
        using var fine = _world.Attach(1);
        Assert.Equal("d1", fine.Name);
    }

    /// <summary>The backlog: every Output message until Live.</summary>
    internal static byte[] UntilLive(ConsoleAttachment client)
    {
        var bytes = new List<byte>();
        while (true)
        {
            var m = client.Receive((int)ConsoleWorld.Timeout.TotalMilliseconds) ?? throw new TimeoutException("no Live message");
            if (m.Kind == AttachKind.Live)
                return [.. bytes];
            Assert.NotEqual(AttachKind.Closed, m.Kind);
            if (m.Kind == AttachKind.Output)
                bytes.AddRange(m.Payload);
        }
    }

    /// <summary>Reads until the daemon closes the attachment; returns its reason.</summary>
    internal static string UntilClosed(ConsoleAttachment client)
    {
        while (true)
        {
            var m = client.Receive((int)ConsoleWorld.Timeout.TotalMilliseconds) ?? throw new TimeoutException("no Closed message");
            if (m.Kind == AttachKind.Closed)
                return Encoding.UTF8.GetString(m.Payload);
        }
    }

    private static string NextOf(ConsoleAttachment client, AttachKind kind)
    {
        while (true)
        {
            var m = client.Receive((int)ConsoleWorld.Timeout.TotalMilliseconds) ?? throw new TimeoutException($"no {kind} message");
            if (m.Kind == kind)
                return Encoding.UTF8.GetString(m.Payload);
        }
    }
}
