using System.Text;
using Micro.Protocol.Os;

namespace Micro.ServicePeer;

/// <summary>
/// The far end of the cross-process tests. Modes:
///   fdpass PATH   connect to PATH; map the memfd it is sent, answer with what it read, signal the
///                 eventfd it is sent, and send back a memfd of its own.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        try
        {
            return args.Length switch
            {
                2 when args[0] == "fdpass" => FdPass(args[1]),
                _ => Usage(),
            };
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"servicepeer: {e.GetType().Name}: {e.Message}");
            return 1;
        }
    }

    private static int Usage()
    {
        Console.Error.WriteLine("usage: micro-servicepeer fdpass PATH");
        return 2;
    }

    private static unsafe int FdPass(string path)
    {
        using var socket = UnixSocket.Connect(path);
        Span<byte> buf = stackalloc byte[256];
        Span<int> fds = stackalloc int[1];

        // 1. A memfd: read the text the other side wrote, write it back upper-cased at offset 2048.
        var r = socket.Receive(buf, fds, 10_000);
        Expect(r, "memory", buf, 1);
        using (var shm = SharedMemory.Map(fds[0], 4096))
        {
            var text = shm.Span[..shm.Span.IndexOf((byte)0)];
            Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(text).ToUpperInvariant(), shm.Span[2048..]);
        }
        socket.Send("read"u8);

        // 2. An eventfd: signal it, so the other side wakes.
        r = socket.Receive(buf, fds, 10_000);
        Expect(r, "eventfd", buf, 1);
        using (var evt = EventFd.Adopt(fds[0]))
            evt.Signal();

        // 3. A memfd of our own, written here, read there.
        using var mine = SharedMemory.Create("peer", 4096);
        "written by the peer"u8.CopyTo(mine.Span);
        socket.Send("mine"u8, [mine.Fd]);

        // Wait for the other side to finish with us before closing.
        r = socket.Receive(buf, fds, 10_000);
        return r.Status == ReceiveStatus.Closed || (r.Status == ReceiveStatus.Message && buf[..r.Length].SequenceEqual("bye"u8)) ? 0 : 3;
    }

    private static void Expect(Received r, string what, ReadOnlySpan<byte> buf, int fdCount)
    {
        if (r.Status != ReceiveStatus.Message || Encoding.ASCII.GetString(buf[..r.Length]) != what || r.FdCount != fdCount)
            throw new InvalidDataException($"expected '{what}' with {fdCount} fd(s), got {r.Status} '{Encoding.ASCII.GetString(buf[..r.Length])}' with {r.FdCount}");
    }
}
