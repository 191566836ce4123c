using Micro.Protocol.Rings;

namespace Micro.Protocol.Xen;

/// <summary>
/// A xenstore page seen as two byte streams. The guest (client) writes requests and reads
/// responses; the store (server) reads requests and writes responses. Every call validates the
/// indices the other side may have scribbled and reports a broken ring as a <see cref="RingResult"/>
/// error (the server then sets <see cref="Error"/> to XENSTORE_ERROR_RINGIDX and stops serving).
/// </summary>
public sealed unsafe class XenStoreRing
{
    private readonly XenStoreInterface* _page;
    private readonly ByteRing _req;
    private readonly ByteRing _rsp;

    /// <param name="page">A mapped page of at least <see cref="XenStoreInterface.SizeOf"/> bytes.</param>
    public XenStoreRing(byte* page)
    {
        _page = (XenStoreInterface*)page;
        _req = new ByteRing(_page->req, XenStoreInterface.XENSTORE_RING_SIZE, &_page->req_cons, &_page->req_prod);
        _rsp = new ByteRing(_page->rsp, XenStoreInterface.XENSTORE_RING_SIZE, &_page->rsp_cons, &_page->rsp_prod);
    }

    // Guest (client) side.
    public RingResult WriteRequest(ReadOnlySpan<byte> bytes) => _req.Write(bytes);
    public RingResult ReadResponse(Span<byte> buffer) => _rsp.Read(buffer);

    // Store (server) side.
    public RingResult ReadRequest(Span<byte> buffer) => _req.Read(buffer);
    public RingResult WriteResponse(ReadOnlySpan<byte> bytes) => _rsp.Write(bytes);

    /// <summary>Request bytes waiting for the server (or an index error).</summary>
    public RingResult RequestsPending => _req.Readable();

    /// <summary>Response bytes waiting for the guest (or an index error).</summary>
    public RingResult ResponsesPending => _rsp.Readable();

    /// <summary>Room left in the response ring (or an index error).</summary>
    public RingResult ResponseSpace => _rsp.Writable();

    public uint ServerFeatures
    {
        get => Volatile.Read(ref _page->server_features);
        set => Volatile.Write(ref _page->server_features, value);
    }

    public uint Connection
    {
        get => Volatile.Read(ref _page->connection);
        set => Volatile.Write(ref _page->connection, value);
    }

    public uint Error
    {
        get => Volatile.Read(ref _page->error);
        set => Volatile.Write(ref _page->error, value);
    }
}
