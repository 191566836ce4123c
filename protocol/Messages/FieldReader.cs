using MessagePack;

namespace Micro.Protocol.Messages;

/// <summary>Reads message fields from untrusted bytes, refusing anything outside a contract's bounds.</summary>
internal static class FieldReader
{
    /// <summary>Reads the array header of a message and insists on exactly <paramref name="count"/> fields.</summary>
    public static void Fields(ref MessagePackReader reader, int count, string message)
    {
        if (reader.NextMessagePackType != MessagePackType.Array)
            throw new MessagePackSerializationException($"{message}: expected an array of {count} fields, found {reader.NextMessagePackType}");
        int n = reader.ReadArrayHeader();
        if (n != count)
            throw new MessagePackSerializationException($"{message}: expected {count} fields, found {n}");
    }

    /// <summary>A non-nil UTF-8 string of at most <paramref name="maxBytes"/> bytes.</summary>
    public static string String(ref MessagePackReader reader, int maxBytes, string field)
    {
        if (reader.NextMessagePackType != MessagePackType.String)
            throw new MessagePackSerializationException($"{field}: expected a string, found {reader.NextMessagePackType}");
        var copy = reader.CreatePeekReader();
        System.Buffers.ReadOnlySequence<byte>? bytes;
        try
        {
            bytes = copy.ReadStringSequence();
        }
        catch (ArgumentOutOfRangeException)
        {
            throw DeclaredPastTheEnd(field);
        }
        if (bytes is { Length: var length } && length > maxBytes)
            throw new MessagePackSerializationException($"{field}: {length} bytes, limit {maxBytes}");
        return reader.ReadString() ?? throw new MessagePackSerializationException($"{field}: nil");
    }

    /// <summary>A non-nil binary field of at most <paramref name="maxBytes"/> bytes, copied out.</summary>
    public static byte[] Bytes(ref MessagePackReader reader, int maxBytes, string field)
    {
        if (reader.NextMessagePackType != MessagePackType.Binary)
            throw new MessagePackSerializationException($"{field}: expected binary data, found {reader.NextMessagePackType}");
        System.Buffers.ReadOnlySequence<byte> bytes;
        try
        {
            bytes = reader.ReadBytes() ?? throw new MessagePackSerializationException($"{field}: nil");
        }
        catch (ArgumentOutOfRangeException)
        {
            throw DeclaredPastTheEnd(field);
        }
        if (bytes.Length > maxBytes)
            throw new MessagePackSerializationException($"{field}: {bytes.Length} bytes, limit {maxBytes}");
        return System.Buffers.BuffersExtensions.ToArray(bytes);
    }

    /// <summary>MessagePack slices a declared length it cannot satisfy with ArgumentOutOfRangeException; name it as truncation.</summary>
    private static EndOfStreamException DeclaredPastTheEnd(string field) => new($"{field}: its declared length runs past the end of the frame");
}
