using Micro.Protocol.Os;
using Micro.Protocol.Xen;
using Micro.XenStore.Rings;
using Micro.XenStore.Service;

namespace Micro.Fuzz;

/// <summary>
/// A hostile guest on the other side of a xenstore ring page: the input is a script of guest moves
/// (write request bytes, scribble over any index, consume replies, ask for reconnection) interleaved
/// with the store's turns (pump, flush, reconnect). A crash (any exception) is a bug; so is a store
/// that keeps serving after a fault without setting the page's error indicator.
/// </summary>
public static unsafe class XenStoreRingTarget
{
    private static readonly object s_lock = new();
    private static SharedMemory? s_page;
    private static EventFd? s_kick, s_notify;

    public static void Run(ReadOnlySpan<byte> input)
    {
        lock (s_lock)
        {
            // One page and event channel per process, cleared per input (memfds are not free).
            s_page ??= SharedMemory.Create("xs-fuzz-ring", 4096);
            s_kick ??= EventFd.Create();
            s_notify ??= EventFd.Create();
            s_page.Span.Clear();
            RunOnce(input);
        }
    }

    private static void RunOnce(ReadOnlySpan<byte> input)
    {
        var page = (XenStoreInterface*)s_page!.Pointer;
        var guest = new XenStoreRing(s_page.Pointer);
        var service = new XenStoreService();
        // The store's ring owns nothing here: the page and eventfds outlive it for the next input.
        var ring = new GuestRing(5, s_page.Duplicate(), s_kick!.Duplicate(), s_notify!.Duplicate());
        try
        {
            var conn = new RingConnection(ring);
            service.Add(conn);
            byte[] scratch = new byte[1024];
            int i = 0;
            while (i < input.Length)
            {
                byte op = input[i++];
                int n = i < input.Length ? input[i++] : 0;
                switch (op % 8)
                {
                    case 0: // guest writes n request bytes taken from the input
                        var bytes = input.Slice(i, Math.Min(n, input.Length - i));
                        i += bytes.Length;
                        guest.WriteRequest(bytes);
                        break;
                    case 1: // guest scribbles an index
                        uint value = i + 4 <= input.Length ? BitConverter.ToUInt32(input.Slice(i, 4)) : (uint)n;
                        i = Math.Min(i + 4, input.Length);
                        uint* idx = (uint*)((byte*)page + 2048 + 4 * (n % 6));
                        Volatile.Write(ref *idx, value);
                        break;
                    case 2: // guest consumes replies
                        guest.ReadResponse(scratch.AsSpan(0, Math.Min(scratch.Length, n * 8)));
                        break;
                    case 3: // guest asks to reconnect
                        Volatile.Write(ref page->connection, XenStoreInterface.XENSTORE_RECONNECT);
                        break;
                    case 4 or 5: // store pumps requests
                        if (!conn.Closed && !conn.Pump(msg => service.Handle(conn, msg)))
                            Faulted(conn, service, page);
                        break;
                    case 6: // store writes replies
                        if (!conn.Closed)
                        {
                            ring.PublishConsumed();
                            conn.Flush();
                            if (conn.Fault is not null)
                                Faulted(conn, service, page);
                        }
                        break;
                    case 7: // store notices a reconnection request
                        if (ring.ReconnectRequested)
                        {
                            if (!conn.Closed)
                                service.Disconnect(conn);
                            ring.Reset();
                            conn = new RingConnection(ring);
                            service.Add(conn);
                        }
                        break;
                }
            }
        }
        finally
        {
            ring.Dispose();
        }
    }

    private static void Faulted(RingConnection conn, XenStoreService service, XenStoreInterface* page)
    {
        if (string.IsNullOrEmpty(conn.Fault) || Volatile.Read(ref page->error) == XenStoreInterface.XENSTORE_ERROR_NONE)
            throw new InvalidOperationException("ring fault without a reason or without the error indicator");
        service.Disconnect(conn);
    }
}
