using System.Text;
using Micro.Fuzz;
using Micro.Protocol.Rings;
using Micro.Protocol.Xen;

namespace Micro.Protocol.Tests;

public unsafe class XenRingTests
{
    [Fact]
    public void XenStoreRequestsAndResponsesTravelThroughThePageAtXenOffsets()
    {
        using var page = new GuardedRegion(4096);
        var guest = new XenStoreRing(page.Pointer);
        var store = new XenStoreRing(page.Pointer);
        var msg = Encoding.ASCII.GetBytes("read\0/local/domain/1/name\0");
        Assert.Equal(msg.Length, guest.WriteRequest(msg).Count);
        Assert.Equal((uint)msg.Length, page.Word(2052)); // req_prod
        Assert.Equal(msg[0], page.Span[0]); // req[0]
        var buf = new byte[2000];
        Assert.Equal(msg.Length, store.ReadRequest(buf).Count);
        Assert.Equal((uint)msg.Length, page.Word(2048)); // req_cons
        Assert.Equal(msg, buf.AsSpan(0, msg.Length).ToArray());
        Assert.Equal(5, store.WriteResponse("guest"u8).Count);
        Assert.Equal((byte)'g', page.Span[1024]); // rsp[0]
        Assert.Equal(5u, page.Word(2060)); // rsp_prod
        Assert.Equal(5, guest.ReadResponse(buf).Count);
        store.ServerFeatures = XenStoreInterface.XENSTORE_SERVER_FEATURE_RECONNECTION;
        store.Error = XenStoreInterface.XENSTORE_ERROR_RINGIDX;
        guest.Connection = XenStoreInterface.XENSTORE_RECONNECT;
        Assert.Equal((1u, 1u, 2u), (page.Word(2064), page.Word(2068), page.Word(2072)));
    }

    [Fact]
    public void AGuestScribblingXenStoreIndicesGetsRingIndexErrors()
    {
        using var page = new GuardedRegion(4096);
        var store = new XenStoreRing(page.Pointer);
        page.Word(2052) = 5000; // req_prod far ahead of req_cons
        Assert.Equal(RingError.IndexDistanceTooLarge, store.ReadRequest(new byte[4096]).Error);
        Assert.Equal(RingError.IndexDistanceTooLarge, store.RequestsPending.Error);
        page.Word(2060) = 0;
        page.Word(2056) = 10; // rsp_cons ahead of rsp_prod
        Assert.Equal(RingError.ProducerBehindConsumer, store.WriteResponse(new byte[10]).Error);
        Assert.Equal(RingError.ProducerBehindConsumer, store.ResponseSpace.Error);
        page.CheckGuards();
    }

    [Fact]
    public void ConsoleOutputWrapsTheTwoKilobyteRing()
    {
        using var page = new GuardedRegion(4096);
        var guest = new XenConsoleRing(page.Pointer);
        var daemon = new XenConsoleRing(page.Pointer);
        var sent = new List<byte>();
        var got = new List<byte>();
        var buf = new byte[777];
        for (int i = 0; i < 100; i++)
        {
            var line = Encoding.ASCII.GetBytes($"line {i}: {new string('x', i * 7 % 300)}\n");
            int n = guest.WriteOutput(line).Count;
            sent.AddRange(line.AsSpan(0, n).ToArray());
            var rd = daemon.ReadOutput(buf);
            got.AddRange(buf.AsSpan(0, rd.Count).ToArray());
        }
        Assert.Equal(sent, got);
        Assert.Equal((uint)got.Count, page.Word(3080)); // out_cons
        Assert.Equal(daemon.OutputConsumer, page.Word(3080));
        Assert.True(got.Count > 2048);
        Assert.Equal(3, daemon.WriteInput("abc"u8).Count);
        Assert.Equal((byte)'a', page.Span[0]);
        Assert.Equal(3, guest.ReadInput(buf).Count);
        daemon.Connection = XenConsInterface.XENCONSOLE_DISCONNECTED;
        Assert.Equal(1, page.Span[3088]);
    }

    [Fact]
    public void ConsoleIndicesFromAHostileGuestAreRejected()
    {
        using var page = new GuardedRegion(4096);
        var daemon = new XenConsoleRing(page.Pointer);
        page.Word(3084) = 2049; // out_prod: one more than the out ring holds
        Assert.Equal(RingError.IndexDistanceTooLarge, daemon.ReadOutput(new byte[4096]).Error);
        page.Word(3076) = 0xFFFF_FFFF; // in_prod behind in_cons
        Assert.Equal(RingError.ProducerBehindConsumer, daemon.WriteInput(new byte[10]).Error);
        page.CheckGuards();
    }
}
