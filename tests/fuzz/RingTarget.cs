using System.Buffers.Binary;
using Micro.Protocol.Rings;
using Micro.Protocol.Xen;

namespace Micro.Fuzz;

/// <summary>
/// The ring readers against a hostile peer: the input chooses the peer's indices, record headers and
/// data. A crash means a ring threw, returned more than its limit, or wrote outside its region.
/// Input: [u32 prod][u32 cons][u32 record limit][u32 xenstore req_prod][data ...].
/// </summary>
public static unsafe class RingTarget
{
    private const uint DataSize = 256;

    public static void Run(ReadOnlySpan<byte> input)
    {
        if (input.Length < 16)
            return;
        uint prod = BinaryPrimitives.ReadUInt32LittleEndian(input);
        uint cons = BinaryPrimitives.ReadUInt32LittleEndian(input[4..]);
        uint limit = BinaryPrimitives.ReadUInt32LittleEndian(input[8..]) % (RecordRing.MaxRecordLimit(DataSize) + 1);
        uint reqProd = BinaryPrimitives.ReadUInt32LittleEndian(input[12..]);
        var data = input[16..];
        RecordRingReader(prod, cons, limit, data);
        XenStoreServer(reqProd, cons, data);
    }

    private static void RecordRingReader(uint prod, uint cons, uint limit, ReadOnlySpan<byte> data)
    {
        using var region = new GuardedRegion((int)RecordRing.RegionSize(DataSize));
        var ring = RecordRing.Format(region.Pointer, region.Length, DataSize, limit);
        data[..Math.Min(data.Length, (int)DataSize)].CopyTo(new Span<byte>(region.Pointer + RecordRing.HeaderSize, (int)DataSize));
        region.Word(RecordRing.ProdOffset) = prod;
        region.Word(RecordRing.ConsOffset) = cons;
        var consumer = ring.Consumer(out RingResult error);
        if (consumer is null)
        {
            Expect(error.IsFault, error);
            region.CheckGuards();
            return;
        }
        var buffer = new byte[limit];
        for (int i = 0; i < 64; i++)
        {
            RingResult r = consumer.TryRead(buffer);
            if (!r.IsOk)
            {
                Expect(r.Error == RingError.WouldBlock || r.IsFault, r);
                break;
            }
            Expect((uint)r.Count <= limit, r);
        }
        // The producer side against the same hostile consumer index.
        var producer = ring.Producer(out error);
        if (producer is not null)
        {
            for (int i = 0; i < 8; i++)
            {
                RingResult w = producer.TryWrite(data[..Math.Min(data.Length, (int)limit)]);
                Expect(w.IsOk || w.Error == RingError.WouldBlock || w.IsFault, w);
            }
        }
        region.CheckGuards();
    }

    private static void XenStoreServer(uint reqProd, uint reqCons, ReadOnlySpan<byte> data)
    {
        using var page = new GuardedRegion(4096);
        data[..Math.Min(data.Length, 2048)].CopyTo(page.Span);
        page.Word(2048) = reqCons;
        page.Word(2052) = reqProd;
        page.Word(2056) = reqProd ^ reqCons;
        var store = new XenStoreRing(page.Pointer);
        var buffer = new byte[4096];
        RingResult r = store.ReadRequest(buffer);
        Expect(r.IsOk ? r.Count <= XenStoreInterface.XENSTORE_RING_SIZE : r.IsFault, r);
        r = store.WriteResponse(data);
        Expect(r.IsOk ? r.Count <= XenStoreInterface.XENSTORE_RING_SIZE : r.IsFault, r);
        page.CheckGuards();
    }

    private static void Expect(bool condition, RingResult r)
    {
        if (!condition)
            throw new InvalidOperationException("ring invariant broken: " + r.Describe());
    }
}
