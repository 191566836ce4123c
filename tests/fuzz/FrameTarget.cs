using Micro.Protocol.Framing;

namespace Micro.Fuzz;

/// <summary>
/// The frame decoder over an untrusted byte stream. A crash (any exception) means a bug: the decoder
/// threw, failed in a way it did not name, or accepted something that does not survive a round trip.
/// </summary>
public static class FrameTarget
{
    public static void Run(ReadOnlySpan<byte> input)
    {
        ReadOnlyMemory<byte> rest = input.ToArray();
        var codec = new FrameCodec();
        while (!rest.IsEmpty)
        {
            FrameResult r = FrameCodec.Decode(rest, out Envelope envelope, out int consumed);
            if (r.Detail is { } detail && detail.Contains("unexpected decoder failure", StringComparison.Ordinal))
                throw new InvalidOperationException("decoder failure not named precisely: " + detail);
            if (r.Error == FrameError.Incomplete || r.Error == FrameError.Oversized)
                return; // a stream connection would wait for more bytes or close here
            if (consumed < Frame.PrefixSize || consumed > rest.Length)
                throw new InvalidOperationException($"consumed {consumed} of {rest.Length} bytes for {r}");
            if (r.IsOk)
            {
                // Whatever is accepted must mean exactly one message: re-encoding it decodes to the same.
                var again = codec.Encode(envelope.Message, envelope.RequestId, envelope.Version);
                if (!FrameCodec.Decode(again, out Envelope back, out _).IsOk || back != envelope)
                    throw new InvalidOperationException($"{envelope.Type} did not survive a round trip");
            }
            else if (!r.IsFault || string.IsNullOrEmpty(r.Detail))
            {
                throw new InvalidOperationException($"rejected frame without a precise reason: {r}");
            }
            rest = rest[consumed..];
        }
    }
}
