using System.Buffers;
using MessagePack;

namespace Micro.Toolstack.Management;

/// <summary>
/// The management API's wire format: one SOCK_SEQPACKET message per request or reply, each a
/// MessagePack array <c>[version, request id, fields...]</c> written and read field by field (AOT-safe).
/// Decoding reads untrusted bytes: it never throws and never reads out of bounds; every problem
/// comes back as a precise error.
/// </summary>
public static class ManagementCodec
{
    public const ushort Version = 1;
    public const int MaxMessageBytes = 64 * 1024;
    /// <summary>The largest configuration a create request carries (the rest of the message is small).</summary>
    public const int MaxConfigBytes = 48 * 1024;
    public const int MaxStringBytes = 4096;
    public const int MaxItems = 1024;

    public static byte[] Encode(ManagementRequest request, ulong id)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        var w = new MessagePackWriter(buffer);
        w.WriteArrayHeader(8);
        w.Write(Version);
        w.Write(id);
        w.Write((byte)request.Verb);
        w.Write(request.Target);
        w.Write(request.File);
        w.Write(request.Config ?? []);
        var overrides = request.Overrides ?? [];
        w.WriteArrayHeader(overrides.Count);
        foreach (string o in overrides)
            w.Write(o);
        w.Write(request.Paused);
        w.Flush();
        return Checked(buffer);
    }

    public static byte[] Encode(ManagementReply reply, ulong id)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        var w = new MessagePackWriter(buffer);
        w.WriteArrayHeader(6);
        w.Write(Version);
        w.Write(id);
        w.Write(reply.Ok);
        w.Write(reply.Error);
        w.WriteArrayHeader(reply.Diagnostics.Count);
        foreach (string d in reply.Diagnostics)
            w.Write(d);
        w.WriteArrayHeader(reply.Domains.Count);
        foreach (var d in reply.Domains)
        {
            w.WriteArrayHeader(9);
            w.Write(d.Domid);
            w.Write(d.Name);
            w.Write(d.Uuid);
            w.Write(d.MemoryMiB);
            w.Write(d.Vcpus);
            w.Write(d.State);
            w.Write(d.Seconds);
            w.Write(d.ConsoleLog);
            w.Write(d.ConfigJson);
        }
        w.Flush();
        return Checked(buffer);
    }

    private static byte[] Checked(ArrayBufferWriter<byte> buffer)
    {
        if (buffer.WrittenCount > MaxMessageBytes)
            throw new InvalidOperationException($"a management message of {buffer.WrittenCount} bytes exceeds the limit of {MaxMessageBytes}");
        return buffer.WrittenSpan.ToArray();
    }

    public static ManagementRequest? DecodeRequest(ReadOnlyMemory<byte> bytes, out ulong id, out string? error)
    {
        id = 0;
        var r = new MessagePackReader(bytes);
        try
        {
            Header(ref r, 8, out id);
            byte verb = r.ReadByte();
            if (!Enum.IsDefined((ManagementVerb)verb))
                throw new MessagePackSerializationException($"verb {verb} is not a management verb");
            string target = Str(ref r, "target");
            string file = Str(ref r, "file");
            if (r.NextMessagePackType != MessagePackType.Binary)
                throw new MessagePackSerializationException($"config: expected bytes, found {r.NextMessagePackType}");
            var config = r.ReadBytes()!.Value;
            if (config.Length > MaxConfigBytes)
                throw new MessagePackSerializationException($"config: {config.Length} bytes, limit {MaxConfigBytes}");
            int count = Count(ref r, "overrides");
            var overrides = new string[count];
            for (int i = 0; i < count; i++)
                overrides[i] = Str(ref r, "override");
            bool paused = r.ReadBoolean();
            End(ref r, bytes.Length);
            error = null;
            return new((ManagementVerb)verb, target, file, config.ToArray(), overrides, paused);
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or OverflowException or InvalidOperationException)
        {
            error = $"malformed request at byte {r.Consumed}: {e.Message}";
            return null;
        }
    }

    public static ManagementReply? DecodeReply(ReadOnlyMemory<byte> bytes, out ulong id, out string? error)
    {
        id = 0;
        var r = new MessagePackReader(bytes);
        try
        {
            Header(ref r, 6, out id);
            bool ok = r.ReadBoolean();
            string message = Str(ref r, "error");
            int n = Count(ref r, "diagnostics");
            var diagnostics = new string[n];
            for (int i = 0; i < n; i++)
                diagnostics[i] = Str(ref r, "diagnostic");
            n = Count(ref r, "domains");
            var domains = new DomainStatus[n];
            for (int i = 0; i < n; i++)
            {
                if (r.ReadArrayHeader() != 9)
                    throw new MessagePackSerializationException("domain: expected 9 fields");
                domains[i] = new DomainStatus(r.ReadUInt16(), Str(ref r, "name"), Str(ref r, "uuid"), r.ReadUInt32(), r.ReadUInt32(), Str(ref r, "state"),
                    r.ReadDouble(), Str(ref r, "console"), Str(ref r, "config", MaxMessageBytes));
            }
            End(ref r, bytes.Length);
            error = null;
            return new(ok, message, diagnostics, domains);
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or OverflowException or InvalidOperationException)
        {
            error = $"malformed reply at byte {r.Consumed}: {e.Message}";
            return null;
        }
    }

    private static void Header(ref MessagePackReader r, int fields, out ulong id)
    {
        if (r.NextMessagePackType != MessagePackType.Array)
            throw new MessagePackSerializationException($"expected an array, found {r.NextMessagePackType}");
        int n = r.ReadArrayHeader();
        if (n != fields)
            throw new MessagePackSerializationException($"expected {fields} fields, found {n}");
        ushort version = r.ReadUInt16();
        if (version != Version)
            throw new MessagePackSerializationException($"version {version}, this build speaks {Version}");
        id = r.ReadUInt64();
    }

    private static int Count(ref MessagePackReader r, string field)
    {
        if (r.NextMessagePackType != MessagePackType.Array)
            throw new MessagePackSerializationException($"{field}: expected an array, found {r.NextMessagePackType}");
        int n = r.ReadArrayHeader();
        if (n > MaxItems)
            throw new MessagePackSerializationException($"{field}: {n} items, limit {MaxItems}");
        return n;
    }

    private static string Str(ref MessagePackReader r, string field, int maxBytes = MaxStringBytes)
    {
        if (r.NextMessagePackType != MessagePackType.String)
            throw new MessagePackSerializationException($"{field}: expected a string, found {r.NextMessagePackType}");
        var peek = r.CreatePeekReader();
        if (peek.ReadStringSequence() is { Length: var length } && length > maxBytes)
            throw new MessagePackSerializationException($"{field}: {length} bytes, limit {maxBytes}");
        return r.ReadString()!;
    }

    private static void End(ref MessagePackReader r, int length)
    {
        if (!r.End)
            throw new MessagePackSerializationException($"{length - r.Consumed} bytes after the message");
    }
}
