using Micro.Protocol.Messages;
using Micro.Protocol.Rings;

namespace Micro.Protocol.Framing;

/// <summary>Sends frames as records on a <see cref="RecordRing"/>: one record per frame.</summary>
public sealed class FrameWriter(RecordProducer producer)
{
    private readonly FrameCodec _codec = new();

    /// <summary>WouldBlock when the ring is full (nothing sent); Notify when the peer must be woken.</summary>
    public RingResult TryWrite(Message message, ulong requestId)
        => producer.TryWrite(_codec.Encode(message, requestId).Span);
}
