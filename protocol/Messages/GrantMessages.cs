using MessagePack;

namespace Micro.Protocol.Messages;

/// <summary>GNTTABOP_map_grant_ref of <paramref name="Gref"/> granted by <paramref name="Domid"/>. Reply: <see cref="GrantMapReply"/>.</summary>
public sealed record GrantMap(ushort Domid, uint Gref, bool ReadOnly) : Message
{
    public override MessageType Type => MessageType.GrantMap;

    public override void Write(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(3);
        writer.Write(Domid);
        writer.Write(Gref);
        writer.Write(ReadOnly);
    }

    internal static GrantMap Read(ref MessagePackReader reader)
    {
        FieldReader.Fields(ref reader, 3, nameof(GrantMap));
        return new(reader.ReadUInt16(), reader.ReadUInt32(), reader.ReadBoolean());
    }
}

/// <summary>The handle of a mapped grant (used to unmap it).</summary>
public sealed record GrantMapReply(uint Handle) : Message
{
    public override MessageType Type => MessageType.GrantMapReply;

    public override void Write(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(1);
        writer.Write(Handle);
    }

    internal static GrantMapReply Read(ref MessagePackReader reader)
    {
        FieldReader.Fields(ref reader, 1, nameof(GrantMapReply));
        return new(reader.ReadUInt32());
    }
}

/// <summary>GNTTABOP_unmap_grant_ref. Reply: <see cref="OkReply"/>.</summary>
public sealed record GrantUnmap(uint Handle) : Message
{
    public override MessageType Type => MessageType.GrantUnmap;

    public override void Write(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(1);
        writer.Write(Handle);
    }

    internal static GrantUnmap Read(ref MessagePackReader reader)
    {
        FieldReader.Fields(ref reader, 1, nameof(GrantUnmap));
        return new(reader.ReadUInt32());
    }
}
