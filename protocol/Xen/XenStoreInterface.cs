using System.Runtime.InteropServices;

namespace Micro.Protocol.Xen;

/// <summary>
/// <c>struct xenstore_domain_interface</c> from Xen's public io/xs_wire.h: the page a guest shares
/// with xenstored. Requests flow guest → store in <c>req</c>, replies and watch events flow back in
/// <c>rsp</c>; each is a 1024-byte byte ring with free-running indices.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = SizeOf)]
public unsafe struct XenStoreInterface
{
    public const int XENSTORE_RING_SIZE = 1024;
    public const int XENSTORE_PAYLOAD_MAX = 4096;

    /// <summary>server_features bits: the server supports the reconnection handshake; it reports errors in <c>error</c>.</summary>
    public const uint XENSTORE_SERVER_FEATURE_RECONNECTION = 1, XENSTORE_SERVER_FEATURE_ERROR = 2;

    /// <summary>connection values.</summary>
    public const uint XENSTORE_CONNECTED = 0, XENSTORE_RECONNECT = 1;

    /// <summary>error values the server reports in the page.</summary>
    public const uint XENSTORE_ERROR_NONE = 0, XENSTORE_ERROR_COMM = 1, XENSTORE_ERROR_RINGIDX = 2, XENSTORE_ERROR_PROTO = 3;

    /// <summary>An earlier spelling of <see cref="XENSTORE_ERROR_COMM"/>, still used by services/xenstore.</summary>
    public const uint XENSTORE_ERROR_COMMS = XENSTORE_ERROR_COMM;

    public const int SizeOf = 2076;

    [FieldOffset(0)] public fixed byte req[XENSTORE_RING_SIZE];
    [FieldOffset(1024)] public fixed byte rsp[XENSTORE_RING_SIZE];
    [FieldOffset(2048)] public uint req_cons;
    [FieldOffset(2052)] public uint req_prod;
    [FieldOffset(2056)] public uint rsp_cons;
    [FieldOffset(2060)] public uint rsp_prod;
    [FieldOffset(2064)] public uint server_features;
    [FieldOffset(2068)] public uint connection;
    [FieldOffset(2072)] public uint error;
}
