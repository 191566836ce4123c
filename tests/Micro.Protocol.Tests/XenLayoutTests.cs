using System.Runtime.InteropServices;
using Micro.Protocol.Xen;

namespace Micro.Protocol.Tests;

/// <summary>Offsets checked against constants written from Xen's public headers (io/xs_wire.h, io/console.h).</summary>
public unsafe class XenLayoutTests
{
    private static int Offset<T>(string field) => (int)Marshal.OffsetOf<T>(field);

    [Fact]
    public void XenStoreInterfaceMatchesXsWire()
    {
        // struct xenstore_domain_interface { char req[1024]; char rsp[1024]; uint32 req_cons, req_prod,
        // rsp_cons, rsp_prod; uint32 server_features, connection, error; }
        Assert.Equal(0, Offset<XenStoreInterface>("req"));
        Assert.Equal(1024, Offset<XenStoreInterface>("rsp"));
        Assert.Equal(2048, Offset<XenStoreInterface>(nameof(XenStoreInterface.req_cons)));
        Assert.Equal(2052, Offset<XenStoreInterface>(nameof(XenStoreInterface.req_prod)));
        Assert.Equal(2056, Offset<XenStoreInterface>(nameof(XenStoreInterface.rsp_cons)));
        Assert.Equal(2060, Offset<XenStoreInterface>(nameof(XenStoreInterface.rsp_prod)));
        Assert.Equal(2064, Offset<XenStoreInterface>(nameof(XenStoreInterface.server_features)));
        Assert.Equal(2068, Offset<XenStoreInterface>(nameof(XenStoreInterface.connection)));
        Assert.Equal(2072, Offset<XenStoreInterface>(nameof(XenStoreInterface.error)));
        Assert.Equal(2076, sizeof(XenStoreInterface));
        Assert.Equal(1024, XenStoreInterface.XENSTORE_RING_SIZE);
        Assert.Equal(4096, XenStoreInterface.XENSTORE_PAYLOAD_MAX);
        Assert.Equal(1u, XenStoreInterface.XENSTORE_SERVER_FEATURE_RECONNECTION);
        Assert.Equal((0u, 1u), (XenStoreInterface.XENSTORE_CONNECTED, XenStoreInterface.XENSTORE_RECONNECT));
        Assert.Equal((0u, 1u, 2u, 3u), (XenStoreInterface.XENSTORE_ERROR_NONE, XenStoreInterface.XENSTORE_ERROR_COMMS,
            XenStoreInterface.XENSTORE_ERROR_RINGIDX, XenStoreInterface.XENSTORE_ERROR_PROTO));
    }

    [Fact]
    public void XenConsInterfaceMatchesConsoleH()
    {
        // struct xencons_interface { char in[1024]; char out[2048]; uint32 in_cons, in_prod, out_cons, out_prod;
        // uint8 connection; }
        Assert.Equal(0, Offset<XenConsInterface>("in"));
        Assert.Equal(1024, Offset<XenConsInterface>("out"));
        Assert.Equal(3072, Offset<XenConsInterface>(nameof(XenConsInterface.in_cons)));
        Assert.Equal(3076, Offset<XenConsInterface>(nameof(XenConsInterface.in_prod)));
        Assert.Equal(3080, Offset<XenConsInterface>(nameof(XenConsInterface.out_cons)));
        Assert.Equal(3084, Offset<XenConsInterface>(nameof(XenConsInterface.out_prod)));
        Assert.Equal(3088, Offset<XenConsInterface>(nameof(XenConsInterface.connection)));
        Assert.Equal(3092, sizeof(XenConsInterface)); // 3089 rounded up to the struct's 4-byte alignment
        Assert.Equal((0, 1), (XenConsInterface.XENCONSOLE_CONNECTED, XenConsInterface.XENCONSOLE_DISCONNECTED));
    }
}
