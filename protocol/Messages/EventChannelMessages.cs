using MessagePack;

namespace Micro.Protocol.Messages;

/// <summary>EVTCHNOP_alloc_unbound: a port in <paramref name="Dom"/> that <paramref name="RemoteDom"/> may bind. Reply: <see cref="EvtchnPortReply"/>.</summary>
public sealed record EvtchnAllocUnbound(ushort Dom, ushort RemoteDom) : Message
{
    public override MessageType Type => MessageType.EvtchnAllocUnbound;

    public override void Write(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(2);
        writer.Write(Dom);
        writer.Write(RemoteDom);
    }

    internal static EvtchnAllocUnbound Read(ref MessagePackReader reader)
    {
        FieldReader.Fields(ref reader, 2, nameof(EvtchnAllocUnbound));
        return new(reader.ReadUInt16(), reader.ReadUInt16());
    }
}

/// <summary>EVTCHNOP_bind_interdomain. Reply: <see cref="EvtchnPortReply"/> with the local port.</summary>
public sealed record EvtchnBindInterdomain(ushort RemoteDom, uint RemotePort) : Message
{
    public override MessageType Type => MessageType.EvtchnBindInterdomain;

    public override void Write(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(2);
        writer.Write(RemoteDom);
        writer.Write(RemotePort);
    }

    internal static EvtchnBindInterdomain Read(ref MessagePackReader reader)
    {
        FieldReader.Fields(ref reader, 2, nameof(EvtchnBindInterdomain));
        return new(reader.ReadUInt16(), reader.ReadUInt32());
    }
}

/// <summary>EVTCHNOP_send. Reply: <see cref="OkReply"/>.</summary>
public sealed record EvtchnSend(uint Port) : Message
{
    public override MessageType Type => MessageType.EvtchnSend;

    public override void Write(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(1);
        writer.Write(Port);
    }

    internal static EvtchnSend Read(ref MessagePackReader reader)
    {
        FieldReader.Fields(ref reader, 1, nameof(EvtchnSend));
        return new(reader.ReadUInt32());
    }
}

/// <summary>EVTCHNOP_close. Reply: <see cref="OkReply"/>.</summary>
public sealed record EvtchnClose(uint Port) : Message
{
    public override MessageType Type => MessageType.EvtchnClose;

    public override void Write(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(1);
        writer.Write(Port);
    }

    internal static EvtchnClose Read(ref MessagePackReader reader)
    {
        FieldReader.Fields(ref reader, 1, nameof(EvtchnClose));
        return new(reader.ReadUInt32());
    }
}

/// <summary>EVTCHNOP_unmask. Reply: <see cref="OkReply"/>.</summary>
public sealed record EvtchnUnmask(uint Port) : Message
{
    public override MessageType Type => MessageType.EvtchnUnmask;

    public override void Write(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(1);
        writer.Write(Port);
    }

    internal static EvtchnUnmask Read(ref MessagePackReader reader)
    {
        FieldReader.Fields(ref reader, 1, nameof(EvtchnUnmask));
        return new(reader.ReadUInt32());
    }
}

/// <summary>The port an alloc_unbound or bind_interdomain produced.</summary>
public sealed record EvtchnPortReply(uint Port) : Message
{
    public override MessageType Type => MessageType.EvtchnPortReply;

    public override void Write(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(1);
        writer.Write(Port);
    }

    internal static EvtchnPortReply Read(ref MessagePackReader reader)
    {
        FieldReader.Fields(ref reader, 1, nameof(EvtchnPortReply));
        return new(reader.ReadUInt32());
    }
}
