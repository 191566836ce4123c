using System.Text;
using Micro.Protocol.EventChannels;
using Micro.Protocol.Hosting;
using Micro.Protocol.Os;

namespace Micro.ServicePeer;

/// <summary>
/// The far end of the cross-process tests. Modes:
///   fdpass PATH   connect to PATH; map the memfd it is sent, answer with what it read, signal the
///                 eventfd it is sent, and send back a memfd of its own.
///   evtchn PATH   connect to PATH; exchange event-channel pages and eventfds, then answer each event
///                 on port 7 with one on port 5, as many rounds as it is told; notify once more on request.
///   service       run under ServiceHost: with capabilities ring/ready/events/reply, write into ring, signal
///                 ready, and answer each event on port 3 with one on reply; without any, idle until stopped
///                 (standalone: print "standalone", read a line from stdin, then run, printing "running").
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
                2 when args[0] == "evtchn" => EventChannels(args[1]),
                1 when args[0] == "service" => Service(),
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
        Console.Error.WriteLine("usage: micro-servicepeer fdpass|evtchn PATH | service");
        return 2;
    }

    private static unsafe int FdPass(string path)
    {
        using var socket = UnixSocket.Connect(path);
        Span<byte> buf = stackalloc byte[256];
        Span<int> fds = stackalloc int[1];

        // 1. A memfd: read the text the other side wrote, write it back upper-cased at offset 2048.
        var r = socket.Receive(buf, fds, 60_000);
        Expect(r, "memory", buf, 1);
        using (var shm = SharedMemory.Map(fds[0], 4096))
        {
            var text = shm.Span[..shm.Span.IndexOf((byte)0)];
            Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(text).ToUpperInvariant(), shm.Span[2048..]);
        }
        socket.Send("read"u8);

        // 2. An eventfd: signal it, so the other side wakes.
        r = socket.Receive(buf, fds, 60_000);
        Expect(r, "eventfd", buf, 1);
        using (var evt = EventFd.Adopt(fds[0]))
            evt.Signal();

        // 3. A memfd of our own, written here, read there.
        using var mine = SharedMemory.Create("peer", 4096);
        "written by the peer"u8.CopyTo(mine.Span);
        socket.Send("mine"u8, [mine.Fd]);

        // Wait for the other side to finish with us before closing.
        r = socket.Receive(buf, fds, 60_000);
        return r.Status == ReceiveStatus.Closed || (r.Status == ReceiveStatus.Message && buf[..r.Length].SequenceEqual("bye"u8)) ? 0 : 3;
    }

    private static int EventChannels(string path)
    {
        using var socket = UnixSocket.Connect(path);
        Span<byte> buf = stackalloc byte[64];
        Span<int> fds = stackalloc int[2];

        var r = socket.Receive(buf, fds, 60_000);
        Expect(r, "page", buf, 2);
        using var toTest = EventChannelNotifier.Open(fds[0], fds[1], 5);
        using var mine = EventChannelReceiver.Create("peer-evtchn");
        socket.Send("page"u8, [mine.Page.Memory.Fd, mine.Kick.Fd]);

        Span<int> ports = stackalloc int[4];
        while (true)
        {
            r = socket.Receive(buf, fds, 30_000);
            string command = r.Status == ReceiveStatus.Message ? Encoding.ASCII.GetString(buf[..r.Length]) : r.Status.ToString();
            if (command.StartsWith("rounds ", StringComparison.Ordinal))
            {
                int rounds = int.Parse(command[7..], System.Globalization.CultureInfo.InvariantCulture);
                for (int i = 0; i < rounds; i++)
                {
                    if (mine.Wait(ports, 30_000) != 1 || ports[0] != 7)
                        throw new InvalidDataException($"round {i}: expected port 7");
                    toTest.Notify();
                }
                socket.Send(Encoding.ASCII.GetBytes($"done {toTest.Kicks}"));
            }
            else if (command == "once")
            {
                toTest.Notify();
                socket.Send("sent"u8);
            }
            else
            {
                return command is "bye" or "Closed" ? 0 : 4;
            }
        }
    }

    private static int Service()
    {
        using var host = ServiceHost.Start("servicepeer");
        if (host.Capabilities.Count == 0)
        {
            Console.WriteLine(host.Supervised ? "idle" : "standalone");
            if (!host.Supervised)
                Console.In.ReadLine(); // standalone, the test says when to run, so that a signal can come before
            return host.Run(stopping =>
            {
                Console.WriteLine("running");
                stopping.WaitHandle.WaitOne();
            });
        }
        using var ring = host.Capability("ring").MapMemory();
        using var ready = host.Capability("ready").OpenEventFd();
        using var events = host.Capability("events").OpenReceiver();
        using var reply = host.Capability("reply").OpenNotifier();
        "service was here"u8.CopyTo(ring.Span);
        ready.Signal();
        return host.Run(stopping =>
        {
            using var wake = stopping.Register(events.Interrupt);
            Span<int> ports = stackalloc int[8];
            int count = 0;
            while (!stopping.IsCancellationRequested)
            {
                int n = events.Wait(ports);
                foreach (int port in ports[..n])
                {
                    if (port != 3)
                        continue;
                    count++;
                    host.Health = $"ok events={count}";
                    reply.Notify();
                }
            }
            "flushed"u8.CopyTo(ring.Span[100..]); // what a real service would persist before exiting
        });
    }

    private static void Expect(Received r, string what, ReadOnlySpan<byte> buf, int fdCount)
    {
        if (r.Status != ReceiveStatus.Message || Encoding.ASCII.GetString(buf[..r.Length]) != what || r.FdCount != fdCount)
            throw new InvalidDataException($"expected '{what}' with {fdCount} fd(s), got {r.Status} '{Encoding.ASCII.GetString(buf[..r.Length])}' with {r.FdCount}");
    }
}
