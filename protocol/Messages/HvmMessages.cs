using MessagePack;

namespace Micro.Protocol.Messages;

/// <summary>HVMOP_set_param. Reply: <see cref="OkReply"/>.</summary>
public sealed record SetHvmParam(ushort Domid, uint Index, ulong Value) : Message
{
    public override MessageType Type => MessageType.SetHvmParam;

    public override void Write(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(3);
        writer.Write(Domid);
        writer.Write(Index);
        writer.Write(Value);
    }

    internal static SetHvmParam Read(ref MessagePackReader reader)
    {
        FieldReader.Fields(ref reader, 3, nameof(SetHvmParam));
        return new(reader.ReadUInt16(), reader.ReadUInt32(), reader.ReadUInt64());
    }
}

/// <summary>HVMOP_get_param. Reply: <see cref="HvmParamReply"/>.</summary>
public sealed record GetHvmParam(ushort Domid, uint Index) : Message
{
    public override MessageType Type => MessageType.GetHvmParam;

    public override void Write(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(2);
        writer.Write(Domid);
        writer.Write(Index);
    }

    internal static GetHvmParam Read(ref MessagePackReader reader)
    {
        FieldReader.Fields(ref reader, 2, nameof(GetHvmParam));
        return new(reader.ReadUInt16(), reader.ReadUInt32());
    }
}

public sealed record HvmParamReply(ulong Value) : Message
{
    public override MessageType Type => MessageType.HvmParamReply;

    public override void Write(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(1);
        writer.Write(Value);
    }

    internal static HvmParamReply Read(ref MessagePackReader reader)
    {
        FieldReader.Fields(ref reader, 1, nameof(HvmParamReply));
        return new(reader.ReadUInt64());
    }
}

public enum IoreqKind : byte
{
    Port = 0,
    Mmio = 1,
}

/// <summary>A device model claims the inclusive range [Start, End] of port or MMIO space of <paramref name="Domid"/>. Reply: <see cref="OkReply"/>.</summary>
public sealed record IoreqServerRegister(ushort Domid, IoreqKind Kind, ulong Start, ulong End) : Message
{
    public override MessageType Type => MessageType.IoreqServerRegister;

    public override void Write(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(4);
        writer.Write(Domid);
        writer.Write((byte)Kind);
        writer.Write(Start);
        writer.Write(End);
    }

    internal static IoreqServerRegister Read(ref MessagePackReader reader)
    {
        FieldReader.Fields(ref reader, 4, nameof(IoreqServerRegister));
        ushort domid = reader.ReadUInt16();
        byte kind = reader.ReadByte();
        if (kind > (byte)IoreqKind.Mmio)
            throw new MessagePackSerializationException($"IoreqServerRegister.Kind: {kind} is not port (0) or mmio (1)");
        ulong start = reader.ReadUInt64(), end = reader.ReadUInt64();
        if (end < start)
            throw new MessagePackSerializationException($"IoreqServerRegister: range end 0x{end:x} is below start 0x{start:x}");
        return new(domid, (IoreqKind)kind, start, end);
    }
}
