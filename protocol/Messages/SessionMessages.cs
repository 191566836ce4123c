using MessagePack;

namespace Micro.Protocol.Messages;

/// <summary>The first message a service sends on its control ring.</summary>
public sealed record Hello(string ServiceName, int Pid, ushort ProtocolVersion) : Message
{
    public const int MaxNameBytes = 64;
    public override MessageType Type => MessageType.Hello;

    public override void Write(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(3);
        writer.Write(ServiceName);
        writer.Write(Pid);
        writer.Write(ProtocolVersion);
    }

    internal static Hello Read(ref MessagePackReader reader)
    {
        FieldReader.Fields(ref reader, 3, nameof(Hello));
        return new(FieldReader.String(ref reader, MaxNameBytes, "Hello.ServiceName"), reader.ReadInt32(), reader.ReadUInt16());
    }
}

/// <summary>The core's answer to <see cref="Hello"/>: the domid the service runs as.</summary>
public sealed record HelloReply(ushort Domid, ushort ProtocolVersion) : Message
{
    public override MessageType Type => MessageType.HelloReply;

    public override void Write(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(2);
        writer.Write(Domid);
        writer.Write(ProtocolVersion);
    }

    internal static HelloReply Read(ref MessagePackReader reader)
    {
        FieldReader.Fields(ref reader, 2, nameof(HelloReply));
        return new(reader.ReadUInt16(), reader.ReadUInt16());
    }
}

/// <summary>Liveness probe; the peer answers <see cref="HealthPong"/> with the same nonce.</summary>
public sealed record HealthPing(ulong Nonce) : Message
{
    public override MessageType Type => MessageType.HealthPing;

    public override void Write(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(1);
        writer.Write(Nonce);
    }

    internal static HealthPing Read(ref MessagePackReader reader)
    {
        FieldReader.Fields(ref reader, 1, nameof(HealthPing));
        return new(reader.ReadUInt64());
    }
}

public sealed record HealthPong(ulong Nonce) : Message
{
    public override MessageType Type => MessageType.HealthPong;

    public override void Write(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(1);
        writer.Write(Nonce);
    }

    internal static HealthPong Read(ref MessagePackReader reader)
    {
        FieldReader.Fields(ref reader, 1, nameof(HealthPong));
        return new(reader.ReadUInt64());
    }
}

public enum LogLevel : byte
{
    Debug = 0,
    Info = 1,
    Warning = 2,
    Error = 3,
}

/// <summary>One line of a service's log, forwarded to the core's log.</summary>
public sealed record LogLine(LogLevel Level, string Text) : Message
{
    public const int MaxTextBytes = 4096;
    public override MessageType Type => MessageType.LogLine;

    public override void Write(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(2);
        writer.Write((byte)Level);
        writer.Write(Text);
    }

    internal static LogLine Read(ref MessagePackReader reader)
    {
        FieldReader.Fields(ref reader, 2, nameof(LogLine));
        byte level = reader.ReadByte();
        if (level > (byte)LogLevel.Error)
            throw new MessagePackSerializationException($"LogLine.Level: {level} is not a log level");
        return new((LogLevel)level, FieldReader.String(ref reader, MaxTextBytes, "LogLine.Text"));
    }
}

/// <summary>A refused request: a Xen errno value (positive, e.g. 1 = EPERM) and why.</summary>
public sealed record ErrorReply(int Errno, string Reason) : Message
{
    public const int MaxReasonBytes = 1024;
    public override MessageType Type => MessageType.ErrorReply;

    public override void Write(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(2);
        writer.Write(Errno);
        writer.Write(Reason);
    }

    internal static ErrorReply Read(ref MessagePackReader reader)
    {
        FieldReader.Fields(ref reader, 2, nameof(ErrorReply));
        return new(reader.ReadInt32(), FieldReader.String(ref reader, MaxReasonBytes, "ErrorReply.Reason"));
    }
}

/// <summary>Success with nothing to return.</summary>
public sealed record OkReply : Message
{
    public override MessageType Type => MessageType.OkReply;

    public override void Write(ref MessagePackWriter writer) => writer.WriteArrayHeader(0);

    internal static OkReply Read(ref MessagePackReader reader)
    {
        FieldReader.Fields(ref reader, 0, nameof(OkReply));
        return new();
    }
}
