using System.Runtime.InteropServices;
using Micro.Protocol.Os;
using Micro.Protocol.Rings;
using Micro.Protocol.Xen;

namespace Micro.XenStore.Rings;

/// <summary>
/// A guest's xenstore page (xs_wire.h's xenstore_domain_interface) and its event channel, as the
/// store serves it: requests are read from <c>req</c>, replies and events written to <c>rsp</c>.
/// The store's own indices (req_cons, rsp_prod) are kept in private shadows and only copied to the
/// page, so a guest scribbling over them cannot steer the store; the guest's indices are checked on
/// every access. Consumed request bytes are published only on <see cref="PublishConsumed"/>, after
/// what they caused is durable, so a restarted store re-reads anything it had not made durable.
/// </summary>
public sealed unsafe class GuestRing : IDisposable
{
    /// <summary>Reconnection (bit 0) and the connection error indicator (bit 1).</summary>
    public const uint ServerFeatures = XenStoreInterface.XENSTORE_SERVER_FEATURE_RECONNECTION | 2;

    private readonly XenStoreInterface* _page;
    private readonly uint* _shadow; // [0] req_cons, [1] rsp_prod
    private readonly ByteRing _req;
    private readonly ByteRing _rsp;

    /// <param name="page">The page (at least <see cref="XenStoreInterface.SizeOf"/> bytes); owned from now on.</param>
    /// <param name="kick">Signalled by the guest after it changed the ring; owned from now on.</param>
    /// <param name="notify">Signalled by the store after it changed the ring; owned from now on.</param>
    public GuestRing(uint domId, SharedMemory page, EventFd kick, EventFd notify)
    {
        if (page.Length < XenStoreInterface.SizeOf)
            throw new ArgumentException($"a xenstore page needs {XenStoreInterface.SizeOf} bytes, got {page.Length}", nameof(page));
        DomId = domId;
        Page = page;
        Kick = kick;
        Notify = notify;
        _page = (XenStoreInterface*)page.Pointer;
        _shadow = (uint*)NativeMemory.AllocZeroed(2 * sizeof(uint));
        _shadow[0] = Volatile.Read(ref _page->req_cons);
        _shadow[1] = Volatile.Read(ref _page->rsp_prod);
        _req = new ByteRing(_page->req, XenStoreInterface.XENSTORE_RING_SIZE, &_shadow[0], &_page->req_prod);
        _rsp = new ByteRing(_page->rsp, XenStoreInterface.XENSTORE_RING_SIZE, &_page->rsp_cons, &_shadow[1]);
        // Advertised before any byte is consumed or produced, as xenstore-ring.txt requires.
        Volatile.Write(ref _page->server_features, Volatile.Read(ref _page->server_features) | ServerFeatures);
    }

    public uint DomId { get; }
    public SharedMemory Page { get; }
    public EventFd Kick { get; }
    public EventFd Notify { get; }

    /// <summary>Where the store has read the request stream to (published or not).</summary>
    public uint RequestConsumed => _shadow[0];

    /// <summary>Where the store has written the reply stream to.</summary>
    public uint ResponseProduced => _shadow[1];

    /// <summary>Reads request bytes without publishing req_cons (see <see cref="PublishConsumed"/>).</summary>
    public RingResult ReadRequests(Span<byte> buffer) => _req.Read(buffer);

    /// <summary>Lets the guest reuse the request bytes read so far.</summary>
    public void PublishConsumed() => Volatile.Write(ref _page->req_cons, _shadow[0]);

    /// <summary>Writes as much as fits and publishes rsp_prod at once.</summary>
    public RingResult WriteResponses(ReadOnlySpan<byte> bytes)
    {
        var r = _rsp.Write(bytes);
        if (r.IsOk && r.Count > 0)
            Volatile.Write(ref _page->rsp_prod, _shadow[1]);
        return r;
    }

    /// <summary>Checks the guest's indices (a scribbled index is a fault).</summary>
    public RingResult Check()
    {
        var r = _req.Readable();
        return r.IsOk ? _rsp.Writable() : r;
    }

    public bool ReconnectRequested => Volatile.Read(ref _page->connection) == XenStoreInterface.XENSTORE_RECONNECT;

    public uint Error
    {
        get => Volatile.Read(ref _page->error);
        set => Volatile.Write(ref _page->error, value);
    }

    /// <summary>
    /// Resumes a ring after a store restart: the request stream continues at <paramref name="consumed"/>
    /// (what was durably handled) and replies at <paramref name="produced"/>.
    /// </summary>
    public void Resume(uint consumed, uint produced)
    {
        _shadow[0] = consumed;
        _shadow[1] = produced;
        PublishConsumed();
        Volatile.Write(ref _page->rsp_prod, produced);
    }

    /// <summary>The reconnection handshake's server half: both queues emptied, no error, connected.</summary>
    public void Reset()
    {
        _shadow[0] = 0;
        _shadow[1] = 0;
        Volatile.Write(ref _page->req_cons, 0);
        Volatile.Write(ref _page->req_prod, 0);
        Volatile.Write(ref _page->rsp_cons, 0);
        Volatile.Write(ref _page->rsp_prod, 0);
        Error = XenStoreInterface.XENSTORE_ERROR_NONE;
        Volatile.Write(ref _page->connection, XenStoreInterface.XENSTORE_CONNECTED);
    }

    public void Dispose()
    {
        NativeMemory.Free(_shadow);
        Page.Dispose();
        Kick.Dispose();
        Notify.Dispose();
    }
}
