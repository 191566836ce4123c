using System.Diagnostics;
using System.Globalization;
using Micro.Protocol.Hosting;
using Micro.Protocol.Os;
using Micro.Protocol.Xen;

namespace Micro.Console.GuestPeer;

/// <summary>
/// Stands in for a guest (or the UART device model) in the console tests. It connects to PATH, receives a
/// console page, the kick eventfd it signals and the notify eventfd it waits on (as ControlMessages named
/// page/kick/notify, then Ready), and then:
///   write PATH BYTES SEED   writes BYTES pseudo-random bytes (System.Random(SEED)) into the out ring in
///                           chunks of 1..512 bytes, kicking after each and waiting for room when full; prints "done"
///   echo PATH SECONDS       copies whatever arrives on the in ring to the out ring, for SECONDS at most
/// Every wait is bounded; the program gives up after 120 s without progress.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        try
        {
            return args switch
            {
                ["write", var path, var bytes, var seed] => Write(path, Number(bytes), Number(seed)),
                ["echo", var path, var seconds] => Echo(path, Number(seconds)),
                _ => Usage(),
            };
        }
        catch (Exception e)
        {
            System.Console.Error.WriteLine($"guestpeer: {e.GetType().Name}: {e.Message}");
            return 1;
        }
    }

    private static int Number(string text) => int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);

    private static int Usage()
    {
        System.Console.Error.WriteLine("usage: micro-console-guestpeer write PATH BYTES SEED | echo PATH SECONDS");
        return 2;
    }

    private sealed unsafe class Guest : IDisposable
    {
        public SharedMemory Page = null!;
        public EventFd Kick = null!, Notify = null!;
        public XenConsoleRing Ring = null!;

        public static Guest Connect(string path)
        {
            var guest = new Guest();
            using var control = new ControlChannel(UnixSocket.Connect(path));
            Span<int> fds = stackalloc int[ControlMessage.MaxFds];
            while (true)
            {
                if (control.Receive(out var m, fds, 30_000) != ReceiveStatus.Message)
                    throw new IOException("no console handed over");
                switch (m.Kind, m.Text)
                {
                    case (ControlKind.Memory, "page"):
                        guest.Page = SharedMemory.Map(fds[0], (long)m.Argument);
                        guest.Ring = new XenConsoleRing(guest.Page.Pointer);
                        break;
                    case (ControlKind.EventFd, "kick"):
                        guest.Kick = EventFd.Adopt(fds[0]);
                        break;
                    case (ControlKind.EventFd, "notify"):
                        guest.Notify = EventFd.Adopt(fds[0]);
                        break;
                    case (ControlKind.Ready, _):
                        return guest;
                    default:
                        throw new IOException($"unexpected {m.Kind} '{m.Text}'");
                }
            }
        }

        public void Dispose()
        {
            Page?.Dispose();
            Kick?.Dispose();
            Notify?.Dispose();
        }
    }

    private static int Write(string path, int total, int seed)
    {
        using var guest = Guest.Connect(path);
        var data = new byte[total];
        new Random(seed).NextBytes(data);
        var sizes = new Random(seed + 1);
        int sent = 0;
        var idle = Stopwatch.StartNew();
        while (sent < total)
        {
            int chunk = Math.Min(total - sent, sizes.Next(1, 513));
            var r = guest.Ring.WriteOutput(data.AsSpan(sent, chunk));
            if (r.IsFault)
                throw new IOException("out ring: " + r.Describe());
            if (r.Count > 0)
            {
                sent += r.Count;
                guest.Kick.Signal();
                idle.Restart();
                continue;
            }
            if (idle.Elapsed > TimeSpan.FromSeconds(120))
                throw new TimeoutException($"no room in the out ring for 120 s ({sent} of {total} bytes written)");
            guest.Notify.Wait(100); // the daemon notifies after consuming; the timeout only bounds the wait
        }
        System.Console.WriteLine($"done {sent}");
        return 0;
    }

    private static int Echo(string path, int seconds)
    {
        using var guest = Guest.Connect(path);
        System.Console.WriteLine("echoing");
        var buffer = new byte[1024];
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            var r = guest.Ring.ReadInput(buffer);
            if (r.IsFault)
                throw new IOException("in ring: " + r.Describe());
            if (r.Count == 0)
            {
                guest.Notify.Wait(100);
                continue;
            }
            guest.Kick.Signal(); // room in the in ring again
            int written = 0;
            while (written < r.Count && clock.Elapsed < TimeSpan.FromSeconds(seconds))
            {
                var w = guest.Ring.WriteOutput(buffer.AsSpan(written, r.Count - written));
                written += w.Count;
                if (w.Count > 0)
                    guest.Kick.Signal();
                else
                    guest.Notify.Wait(100);
            }
        }
        return 0;
    }
}
