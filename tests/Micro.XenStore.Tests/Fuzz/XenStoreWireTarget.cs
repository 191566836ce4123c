using System.Buffers.Binary;
using Micro.XenStore.Connections;
using Micro.XenStore.Service;
using Micro.XenStore.Wire;

namespace Micro.Fuzz;

/// <summary>
/// Untrusted xs_wire bytes into the store: the input is cut into a stream (at split points taken from
/// the input itself) for the frame decoder, and every decoded request is handled for one of three
/// connections (dom0, and unprivileged domains 1 and 2). A crash (any exception) is a bug, and so is
/// a request left without exactly one reply, or an output frame whose header lies about its payload.
/// </summary>
public static class XenStoreWireTarget
{
    public static void Run(ReadOnlySpan<byte> input)
    {
        var service = new XenStoreService();
        var conns = new FuzzConnection[] { new(0), new(1), new(2) };
        foreach (var c in conns)
            service.Add(c);
        var decoder = new XsFrameDecoder();
        int chunk = input.Length > 0 ? 1 + input[0] % 64 : 1;
        var data = input.Length > 0 ? input[1..] : input;
        int requests = 0;
        while (!data.IsEmpty)
        {
            int n = Math.Min(chunk, data.Length);
            bool ok = decoder.Feed(data[..n], msg =>
            {
                var conn = conns[(int)(msg.ReqId % (uint)conns.Length)];
                if (conn.Closed)
                    return;
                requests++;
                int before = conn.Replies;
                service.Handle(conn, msg);
                conn.Check();
                if (!conn.Closed && conn.Replies != before + 1)
                    throw new InvalidOperationException($"{(XsMessageType)msg.Type} got {conn.Replies - before} replies");
            });
            if (!ok && string.IsNullOrEmpty(decoder.Error))
                throw new InvalidOperationException("stream rejected without a reason");
            if (!ok)
                return;
            data = data[n..];
            chunk = 1 + (chunk * 7 + 3) % 97;
        }
    }

    /// <summary>Counts replies and checks every frame queued for it.</summary>
    private sealed class FuzzConnection(uint domid) : Connection(domid, privileged: domid == 0)
    {
        public int Replies { get; private set; }

        public void Check()
        {
            while (TryPeekOutput(out byte[] frame))
            {
                DequeueOutput();
                if (frame.Length < XsLimits.HeaderSize)
                    throw new InvalidOperationException("short frame");
                uint type = BinaryPrimitives.ReadUInt32LittleEndian(frame);
                uint len = BinaryPrimitives.ReadUInt32LittleEndian(frame.AsSpan(12));
                if (len != frame.Length - XsLimits.HeaderSize)
                    throw new InvalidOperationException($"header says {len} bytes, frame has {frame.Length - XsLimits.HeaderSize}");
                if (len > XsLimits.PayloadMax)
                    throw new InvalidOperationException($"{(XsMessageType)type} of {len} bytes exceeds XENSTORE_PAYLOAD_MAX");
                if (type != (uint)XsMessageType.XS_WATCH_EVENT)
                    Replies++;
            }
        }
    }
}
