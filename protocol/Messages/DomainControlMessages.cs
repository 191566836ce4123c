using MessagePack;

namespace Micro.Protocol.Messages;

// Domain control (Xen's domctl) for the toolstack: only a domain of the toolstack role may send these;
// the core refuses everyone else with EPERM. A domain is created paused (under construction); the
// toolstack loads it (DomainWriteMemory, DomainSetEntry), then DomainUnpause starts it.

/// <summary>Asks a domain to shut down with a Xen SHUTDOWN_* reason (SCHEDOP_remote_shutdown). Reply: <see cref="OkReply"/>.</summary>
public sealed record DomainShutdown(ushort Domid, DomainDeathReason Reason) : Message
{
    public override MessageType Type => MessageType.DomainShutdown;

    public override void Write(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(2);
        writer.Write(Domid);
        writer.Write((byte)Reason);
    }

    internal static DomainShutdown Read(ref MessagePackReader reader)
    {
        FieldReader.Fields(ref reader, 2, nameof(DomainShutdown));
        ushort domid = reader.ReadUInt16();
        byte reason = reader.ReadByte();
        if (reason > (byte)DomainDeathReason.Watchdog)
            throw new MessagePackSerializationException($"DomainShutdown.Reason: {reason} is not a SHUTDOWN_* reason");
        return new(domid, (DomainDeathReason)reason);
    }
}

/// <summary>Copies bytes into a domain under construction at guest-physical <see cref="Address"/>. Reply: <see cref="OkReply"/>.</summary>
public sealed record DomainWriteMemory(ushort Domid, ulong Address, byte[] Data) : Message
{
    /// <summary>Per message, so that a request fits a frame; larger images take several.</summary>
    public const int MaxDataBytes = 60 * 1024;
    public override MessageType Type => MessageType.DomainWriteMemory;

    public override void Write(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(3);
        writer.Write(Domid);
        writer.Write(Address);
        writer.Write(Data);
    }

    internal static DomainWriteMemory Read(ref MessagePackReader reader)
    {
        FieldReader.Fields(ref reader, 3, nameof(DomainWriteMemory));
        return new(reader.ReadUInt16(), reader.ReadUInt64(), FieldReader.Bytes(ref reader, MaxDataBytes, "DomainWriteMemory.Data"));
    }

    public bool Equals(DomainWriteMemory? other) =>
        other is not null && Domid == other.Domid && Address == other.Address && Data.AsSpan().SequenceEqual(other.Data);

    public override int GetHashCode() => HashCode.Combine(Domid, Address, Data.Length);
}

/// <summary>Where vCPU 0 of a domain under construction starts (64-bit long mode, flat). Reply: <see cref="OkReply"/>.</summary>
public sealed record DomainSetEntry(ushort Domid, ulong Entry) : Message
{
    public override MessageType Type => MessageType.DomainSetEntry;

    public override void Write(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(2);
        writer.Write(Domid);
        writer.Write(Entry);
    }

    internal static DomainSetEntry Read(ref MessagePackReader reader)
    {
        FieldReader.Fields(ref reader, 2, nameof(DomainSetEntry));
        return new(reader.ReadUInt16(), reader.ReadUInt64());
    }
}

/// <summary>Lists every domain. Reply: <see cref="DomainListReply"/>.</summary>
public sealed record DomainList : Message
{
    public override MessageType Type => MessageType.DomainList;

    public override void Write(ref MessagePackWriter writer) => writer.WriteArrayHeader(0);

    internal static DomainList Read(ref MessagePackReader reader)
    {
        FieldReader.Fields(ref reader, 0, nameof(DomainList));
        return new();
    }
}

public sealed record DomainListReply(DomainInfo[] Domains) : Message
{
    public const int MaxDomains = 1024;
    public override MessageType Type => MessageType.DomainListReply;

    public override void Write(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(1);
        writer.WriteArrayHeader(Domains.Length);
        foreach (var d in Domains)
            d.Write(ref writer);
    }

    internal static DomainListReply Read(ref MessagePackReader reader)
    {
        FieldReader.Fields(ref reader, 1, nameof(DomainListReply));
        if (reader.NextMessagePackType != MessagePackType.Array)
            throw new MessagePackSerializationException($"DomainListReply.Domains: expected an array, found {reader.NextMessagePackType}");
        int n = reader.ReadArrayHeader();
        if (n > MaxDomains)
            throw new MessagePackSerializationException($"DomainListReply.Domains: {n} entries, limit {MaxDomains}");
        var domains = new DomainInfo[n];
        for (int i = 0; i < n; i++)
            domains[i] = DomainInfo.Read(ref reader);
        return new(domains);
    }

    public bool Equals(DomainListReply? other) => other is not null && Domains.AsSpan().SequenceEqual(other.Domains);

    public override int GetHashCode() => Domains.Length;
}

/// <summary>One domain's information. Reply: <see cref="DomainInfoReply"/>.</summary>
public sealed record DomainGetInfo(ushort Domid) : Message
{
    public override MessageType Type => MessageType.DomainGetInfo;

    public override void Write(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(1);
        writer.Write(Domid);
    }

    internal static DomainGetInfo Read(ref MessagePackReader reader)
    {
        FieldReader.Fields(ref reader, 1, nameof(DomainGetInfo));
        return new(reader.ReadUInt16());
    }
}

public sealed record DomainInfoReply(DomainInfo Info) : Message
{
    public override MessageType Type => MessageType.DomainInfoReply;

    public override void Write(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(1);
        Info.Write(ref writer);
    }

    internal static DomainInfoReply Read(ref MessagePackReader reader)
    {
        FieldReader.Fields(ref reader, 1, nameof(DomainInfoReply));
        return new(DomainInfo.Read(ref reader));
    }
}

/// <summary>
/// Subscribes the sender to <see cref="DomainDied"/> notifications (toolstack and xenstore roles only).
/// Reply: <see cref="OkReply"/>. Notifications arrive on the same channel with request id 0.
/// </summary>
public sealed record DomainWatch : Message
{
    public override MessageType Type => MessageType.DomainWatch;

    public override void Write(ref MessagePackWriter writer) => writer.WriteArrayHeader(0);

    internal static DomainWatch Read(ref MessagePackReader reader)
    {
        FieldReader.Fields(ref reader, 0, nameof(DomainWatch));
        return new();
    }
}

/// <summary>
/// The xenstore and console rings of a guest, for telling xenstored (introduce) and xenconsoled.
/// Reply: <see cref="DomainRingsReply"/>.
/// </summary>
public sealed record DomainRings(ushort Domid) : Message
{
    public override MessageType Type => MessageType.DomainRings;

    public override void Write(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(1);
        writer.Write(Domid);
    }

    internal static DomainRings Read(ref MessagePackReader reader)
    {
        FieldReader.Fields(ref reader, 1, nameof(DomainRings));
        return new(reader.ReadUInt16());
    }
}

/// <summary>HVM_PARAM_STORE_PFN/STORE_EVTCHN and CONSOLE_PFN/CONSOLE_EVTCHN of a guest (the ports are the guest's, unbound for the service).</summary>
public sealed record DomainRingsReply(ulong StorePfn, uint StoreEvtchn, ulong ConsolePfn, uint ConsoleEvtchn) : Message
{
    public override MessageType Type => MessageType.DomainRingsReply;

    public override void Write(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(4);
        writer.Write(StorePfn);
        writer.Write(StoreEvtchn);
        writer.Write(ConsolePfn);
        writer.Write(ConsoleEvtchn);
    }

    internal static DomainRingsReply Read(ref MessagePackReader reader)
    {
        FieldReader.Fields(ref reader, 4, nameof(DomainRingsReply));
        return new(reader.ReadUInt64(), reader.ReadUInt32(), reader.ReadUInt64(), reader.ReadUInt32());
    }
}
