using Micro.Protocol.Framing;
using Micro.Protocol.Messages;
using Micro.Protocol.Os;

namespace Micro.EchoService;

/// <summary>
/// micro-echoservice SOCKET DOMID...: says Hello to the core (receiving its domid, its shared_info page
/// and its event kick), allocates one unbound port per DOMID in order (ports 1, 2, ...), and from then on
/// answers every event on a port with an event on the same port. Exits when the core closes the channel.
/// </summary>
public static unsafe class Program
{
    private const int PendingOffset = 2048, MaskOffset = 2560; // shared_info's evtchn_pending / evtchn_mask
    private static readonly FrameCodec Codec = new();
    private static ulong _nextRequest = 1;

    /// <summary>Hello, checked; returns the shared_info fd and kick fd the core sent (the caller owns them).</summary>
    internal static (HelloReply Reply, int[] Fds) Hello(UnixSocket socket, string name)
    {
        int[] fds = new int[UnixSocket.MaxFds];
        var (hello, fdCount) = Call(socket, new Hello(name, Environment.ProcessId, 1), fds);
        if (hello is not HelloReply reply || fdCount != 2)
            throw new InvalidOperationException($"unexpected answer to Hello: {hello.Type} with {fdCount} fds");
        return (reply, fds[..2]);
    }

    public static int Main(string[] args)
    {
        if (args is ["--probe"])
            return SandboxProbe.Run();
        if (args is ["--watch", string watchSocket])
            return DomainWatcher.Run(watchSocket);
        if (args.Length < 2)
        {
            Console.Error.WriteLine("usage: micro-echoservice SOCKET DOMID...");
            return 2;
        }
        try
        {
            if (args[0] == "--hostile")
                return HostileService.Run(args[1], ushort.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture));
            return Run(args[0], args[1..].Select(ushort.Parse).ToArray());
        }
        catch (Exception e) when (e is IOException or PeerProtocolException or InvalidOperationException or FormatException or OverflowException)
        {
            Console.Error.WriteLine($"echoservice: {e.Message}");
            return 1;
        }
    }

    private static int Run(string socketPath, ushort[] peers)
    {
        using var socket = UnixSocket.Connect(socketPath);
        int[] fds = new int[UnixSocket.MaxFds];
        var (reply, given) = Hello(socket, "echo");
        using var sharedInfo = SharedMemory.Map(given[0], 4096);
        using var kick = EventFd.Adopt(given[1]);
        Console.WriteLine($"echo service is d{reply.Domid}");

        var ports = new List<uint>();
        foreach (ushort peer in peers)
        {
            var (m, _) = Call(socket, new EvtchnAllocUnbound(0x7FF0, peer), fds);
            if (m is not EvtchnPortReply p)
                throw new InvalidOperationException($"alloc_unbound for d{peer}: {m}");
            ports.Add(p.Port);
            Console.WriteLine($"port {p.Port} is for d{peer}");
        }

        byte* page = sharedInfo.Pointer;
        long echoes = 0;
        while (true)
        {
            kick.Wait(200);
            // Xen's order: clear upcall_pending and the selector first, then look at the ports.
            Volatile.Write(ref page[0], 0);
            Interlocked.Exchange(ref *(ulong*)(page + 8), 0);
            foreach (uint port in ports)
            {
                ref ulong word = ref *(ulong*)(page + PendingOffset + (port >> 6) * 8);
                ulong bit = 1UL << (int)(port & 63);
                bool masked = (Volatile.Read(ref *(ulong*)(page + MaskOffset + (port >> 6) * 8)) & bit) != 0;
                if (masked || (Interlocked.And(ref word, ~bit) & bit) == 0)
                    continue;
                var (m, _) = Call(socket, new EvtchnSend(port), fds);
                if (m is not OkReply)
                    Console.Error.WriteLine($"echoservice: send on port {port}: {m}");
                echoes++;
            }
            if (socket.Receive(new byte[16], Span<int>.Empty, 0).Status == ReceiveStatus.Closed)
            {
                Console.WriteLine($"core closed the channel after {echoes} echoes");
                return 0;
            }
        }
    }

    /// <summary>One request and its reply (the channel is strictly request/response).</summary>
    internal static (Message Reply, int FdCount) Call(UnixSocket socket, Message request, int[] fds)
    {
        ulong id = _nextRequest++;
        socket.Send(Codec.Encode(request, id).Span);
        byte[] buffer = new byte[4096];
        var r = socket.Receive(buffer, fds, 10_000);
        if (r.Status != ReceiveStatus.Message)
            throw new IOException($"no reply to {request.Type} ({r.Status})");
        var result = FrameCodec.Decode(buffer.AsMemory(0, r.Length), out var envelope, out _);
        if (!result.IsOk)
            throw new IOException($"bad reply to {request.Type}: {result}");
        if (envelope.RequestId != id)
            throw new IOException($"reply to request {envelope.RequestId}, expected {id}");
        return (envelope.Message, r.FdCount);
    }
}
