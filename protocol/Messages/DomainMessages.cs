using MessagePack;

namespace Micro.Protocol.Messages;

/// <summary>
/// Creates a paused domain (under construction) with <see cref="MemoryMiB"/> of RAM and <see cref="Vcpus"/>
/// vCPUs. Reply: <see cref="DomainCreateReply"/> (toolstack only; others get EPERM).
/// </summary>
public sealed record DomainCreate(string Name, uint MemoryMiB, uint Vcpus) : Message
{
    public const int MaxNameBytes = 64;
    public override MessageType Type => MessageType.DomainCreate;

    public override void Write(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(3);
        writer.Write(Name);
        writer.Write(MemoryMiB);
        writer.Write(Vcpus);
    }

    internal static DomainCreate Read(ref MessagePackReader reader)
    {
        FieldReader.Fields(ref reader, 3, nameof(DomainCreate));
        return new(FieldReader.String(ref reader, MaxNameBytes, "DomainCreate.Name"), reader.ReadUInt32(), reader.ReadUInt32());
    }
}

public sealed record DomainCreateReply(ushort Domid) : Message
{
    public override MessageType Type => MessageType.DomainCreateReply;

    public override void Write(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(1);
        writer.Write(Domid);
    }

    internal static DomainCreateReply Read(ref MessagePackReader reader)
    {
        FieldReader.Fields(ref reader, 1, nameof(DomainCreateReply));
        return new(reader.ReadUInt16());
    }
}

/// <summary>Reply: <see cref="OkReply"/>.</summary>
public sealed record DomainDestroy(ushort Domid) : Message
{
    public override MessageType Type => MessageType.DomainDestroy;

    public override void Write(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(1);
        writer.Write(Domid);
    }

    internal static DomainDestroy Read(ref MessagePackReader reader)
    {
        FieldReader.Fields(ref reader, 1, nameof(DomainDestroy));
        return new(reader.ReadUInt16());
    }
}

/// <summary>Reply: <see cref="OkReply"/>.</summary>
public sealed record DomainPause(ushort Domid) : Message
{
    public override MessageType Type => MessageType.DomainPause;

    public override void Write(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(1);
        writer.Write(Domid);
    }

    internal static DomainPause Read(ref MessagePackReader reader)
    {
        FieldReader.Fields(ref reader, 1, nameof(DomainPause));
        return new(reader.ReadUInt16());
    }
}

/// <summary>Reply: <see cref="OkReply"/>.</summary>
public sealed record DomainUnpause(ushort Domid) : Message
{
    public override MessageType Type => MessageType.DomainUnpause;

    public override void Write(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(1);
        writer.Write(Domid);
    }

    internal static DomainUnpause Read(ref MessagePackReader reader)
    {
        FieldReader.Fields(ref reader, 1, nameof(DomainUnpause));
        return new(reader.ReadUInt16());
    }
}

/// <summary>Why a domain died (Xen's SHUTDOWN_* reasons, plus Destroyed and Crashed by the core).</summary>
public enum DomainDeathReason : byte
{
    Poweroff = 0,
    Reboot = 1,
    Suspend = 2,
    Crash = 3,
    Watchdog = 4,
    Destroyed = 5,
}

/// <summary>
/// Notification (no reply, request id 0) to services that sent <see cref="DomainWatch"/>: a domain shut
/// down (its SHUTDOWN_* reason, or Crash) or was destroyed (<see cref="DomainDeathReason.Destroyed"/>).
/// </summary>
public sealed record DomainDied(ushort Domid, DomainDeathReason Reason) : Message
{
    public override MessageType Type => MessageType.DomainDied;

    public override void Write(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(2);
        writer.Write(Domid);
        writer.Write((byte)Reason);
    }

    internal static DomainDied Read(ref MessagePackReader reader)
    {
        FieldReader.Fields(ref reader, 2, nameof(DomainDied));
        ushort domid = reader.ReadUInt16();
        byte reason = reader.ReadByte();
        if (reason > (byte)DomainDeathReason.Destroyed)
            throw new MessagePackSerializationException($"DomainDied.Reason: {reason} is not a death reason");
        return new(domid, (DomainDeathReason)reason);
    }
}
