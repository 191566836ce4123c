using Micro.Protocol.Rings;

namespace Micro.Protocol.Framing;

/// <summary>
/// Receives frames from a <see cref="RecordRing"/>. A bad frame is consumed and reported (the
/// message is rejected; the caller decides whether to close); a broken ring is reported as
/// <see cref="FrameError.RingFault"/> and nothing is consumed.
/// </summary>
public sealed class FrameReader(RecordConsumer consumer)
{
    private readonly byte[] _buffer = new byte[Frame.MaxFrameSize];

    public FrameResult TryRead(out Envelope envelope)
    {
        envelope = default;
        RingResult next = consumer.Peek();
        if (next.Error == RingError.WouldBlock)
            return new(FrameError.WouldBlock);
        if (!next.IsOk)
            return new(FrameError.RingFault, next.Describe());
        int length = next.Count;
        if (length > _buffer.Length)
        {
            bool wake = consumer.Advance(consumer.Tag).Notify;
            return new(FrameError.Oversized, $"record of {length} bytes exceeds the frame limit of {Frame.MaxFrameSize}", wake);
        }
        consumer.CopyPeeked(0, _buffer.AsSpan(0, length));
        bool notify = consumer.Advance(consumer.Tag).Notify;
        FrameResult decoded = FrameCodec.Decode(_buffer.AsMemory(0, length), out envelope, out int consumed);
        if (decoded.Error == FrameError.Incomplete)
            return new(FrameError.Truncated, $"record of {length} bytes holds an incomplete frame ({decoded.Detail})", notify);
        if (decoded.IsOk && consumed != length)
        {
            envelope = default;
            return new(FrameError.LengthMismatch, $"record of {length} bytes carries a frame of {consumed}", notify);
        }
        return decoded with { NotifyPeer = notify };
    }
}
