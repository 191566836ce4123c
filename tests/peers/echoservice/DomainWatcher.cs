using Micro.Protocol.Framing;
using Micro.Protocol.Messages;
using Micro.Protocol.Os;

namespace Micro.EchoService;

/// <summary>
/// micro-echoservice --watch SOCKET: asks the core for DomainDied notifications, prints the first one
/// ("watch: dN Reason") and exits 0; exits 1 if the core refuses or nothing arrives within 30 s.
/// </summary>
internal static class DomainWatcher
{
    public static int Run(string socketPath)
    {
        using var socket = UnixSocket.Connect(socketPath);
        var (_, fds) = Program.Hello(socket, "watcher");
        using var sharedInfo = SharedMemory.Map(fds[0], 4096);
        using var kick = EventFd.Adopt(fds[1]);
        var (reply, _) = Program.Call(socket, new DomainWatch(), new int[UnixSocket.MaxFds]);
        if (reply is not OkReply)
        {
            Console.Error.WriteLine($"watch: DomainWatch answered {reply}");
            return 1;
        }
        Console.WriteLine("watch: subscribed");
        byte[] buffer = new byte[4096];
        var r = socket.Receive(buffer, Span<int>.Empty, 30_000);
        if (r.Status != ReceiveStatus.Message)
        {
            Console.Error.WriteLine($"watch: no notification ({r.Status})");
            return 1;
        }
        var result = FrameCodec.Decode(buffer.AsMemory(0, r.Length), out var envelope, out _);
        if (!result.IsOk || envelope.Message is not DomainDied died || envelope.RequestId != 0)
        {
            Console.Error.WriteLine($"watch: expected DomainDied with request id 0, got {(result.IsOk ? envelope.Message : result)}");
            return 1;
        }
        Console.WriteLine($"watch: d{died.Domid} {died.Reason}");
        return 0;
    }
}
