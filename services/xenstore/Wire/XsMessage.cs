using System.Buffers.Binary;

namespace Micro.XenStore.Wire;

/// <summary>One xs_wire message: the 16-byte header (type, req_id, tx_id, len) and its payload.</summary>
public sealed class XsMessage
{
    public XsMessage(uint type, uint reqId, uint txId, byte[] payload)
    {
        Type = type;
        ReqId = reqId;
        TxId = txId;
        Payload = payload;
    }

    /// <summary>The raw type; it may name no known operation (then the reply is ENOSYS).</summary>
    public uint Type { get; }
    public uint ReqId { get; }
    public uint TxId { get; }
    public byte[] Payload { get; }

    /// <summary>The message as bytes on the wire.</summary>
    public static byte[] Encode(uint type, uint reqId, uint txId, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[XsLimits.HeaderSize + payload.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(frame, type);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(4), reqId);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(8), txId);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(12), (uint)payload.Length);
        payload.CopyTo(frame.AsSpan(XsLimits.HeaderSize));
        return frame;
    }

    public byte[] Encode() => Encode(Type, ReqId, TxId, Payload);
}
