using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using MessagePack;
using Micro.Protocol.Messages;

namespace Micro.Protocol.Framing;

/// <summary>
/// Encodes messages into frames and decodes frames from untrusted bytes. Decoding never throws and
/// never reads outside its input: every failure comes back as a <see cref="FrameResult"/> naming it.
/// An encoder instance reuses its buffer; one per sending thread.
/// </summary>
public sealed class FrameCodec
{
    private readonly ArrayBufferWriter<byte> _buffer = new(256);

    /// <summary>
    /// Encodes one frame. The bytes stay valid until the next call. A message too large for a frame is
    /// a bug in the sender, so it throws rather than sending something every peer will refuse.
    /// </summary>
    public ReadOnlyMemory<byte> Encode(Message message, ulong requestId, ushort version = Frame.CurrentVersion)
    {
        _buffer.ResetWrittenCount();
        _buffer.Advance(Frame.PrefixSize); // patched below once the body length is known
        var writer = new MessagePackWriter(_buffer);
        writer.WriteArrayHeader(4);
        writer.Write(version);
        writer.Write((ushort)message.Type);
        writer.Write(requestId);
        message.Write(ref writer);
        writer.Flush();
        int body = _buffer.WrittenCount - Frame.PrefixSize;
        if (body > Frame.MaxBodySize)
            throw new InvalidOperationException($"{message.Type} encodes to {body} bytes, more than the frame limit of {Frame.MaxBodySize}");
        var frame = MemoryMarshal.AsMemory(_buffer.WrittenMemory);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.Span, (uint)body);
        return frame;
    }

    /// <summary>
    /// Decodes the frame at the start of <paramref name="input"/>. <paramref name="consumed"/> is the
    /// frame's full size whenever its length prefix was acceptable (so a bad frame can be skipped),
    /// else 0. Incomplete means more bytes are needed.
    /// </summary>
    public static FrameResult Decode(ReadOnlyMemory<byte> input, out Envelope envelope, out int consumed)
    {
        envelope = default;
        consumed = 0;
        if (input.Length < Frame.PrefixSize)
            return new(FrameError.Incomplete, $"{input.Length} of {Frame.PrefixSize} length-prefix bytes");
        uint length = BinaryPrimitives.ReadUInt32LittleEndian(input.Span);
        if (length > Frame.MaxBodySize)
            return new(FrameError.Oversized, $"length prefix {length} exceeds the limit of {Frame.MaxBodySize}");
        if (input.Length - Frame.PrefixSize < length)
            return new(FrameError.Incomplete, $"{input.Length - Frame.PrefixSize} of {length} body bytes");
        consumed = Frame.PrefixSize + (int)length;
        return DecodeBody(input.Slice(Frame.PrefixSize, (int)length), out envelope);
    }

    /// <summary>Decodes an envelope body (the bytes after the length prefix).</summary>
    public static FrameResult DecodeBody(ReadOnlyMemory<byte> body, out Envelope envelope)
    {
        envelope = default;
        if (body.IsEmpty)
            return new(FrameError.Truncated, "empty body");
        var reader = new MessagePackReader(body);
        try
        {
            if (reader.NextMessagePackType != MessagePackType.Array)
                return new(FrameError.Malformed, $"envelope is a {reader.NextMessagePackType}, not an array");
            int fields = reader.ReadArrayHeader();
            if (fields != 4)
                return new(FrameError.Malformed, $"envelope has {fields} fields, expected 4");
            ushort version = reader.ReadUInt16();
            if (version < Frame.OldestVersion || version > Frame.CurrentVersion)
                return new(FrameError.UnsupportedVersion, $"protocol version {version}, supported {Frame.OldestVersion}..{Frame.CurrentVersion}");
            var type = (MessageType)reader.ReadUInt16();
            if (!Message.IsKnown(type))
                return new(FrameError.UnknownType, $"message type {(ushort)type}");
            ulong requestId = reader.ReadUInt64();
            Message message = Message.Read(type, ref reader);
            if (!reader.End)
                return new(FrameError.Malformed, $"{body.Length - reader.Consumed} bytes after the {type} message");
            envelope = new Envelope(version, requestId, message);
            return FrameResult.Ok();
        }
        catch (EndOfStreamException)
        {
            return new(FrameError.Truncated, $"body of {body.Length} bytes ends inside the MessagePack data (at byte {reader.Consumed})");
        }
        catch (MessagePackSerializationException e)
        {
            return new(FrameError.Malformed, $"at byte {reader.Consumed}: {e.Message}");
        }
        catch (OverflowException e)
        {
            return new(FrameError.Malformed, $"at byte {reader.Consumed}: number out of range ({e.Message})");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The boundary to untrusted bytes: nothing may escape. The fuzz corpus test asserts this never happens.
            return new(FrameError.Malformed, $"at byte {reader.Consumed}: unexpected decoder failure {e.GetType().Name}: {e.Message}");
        }
    }
}
