using MessagePack;

namespace Micro.Protocol.Messages;

/// <summary>The life of a domain, as the core reports it (the core's DomainState).</summary>
public enum DomainRunState : byte
{
    /// <summary>Created and paused; the toolstack may still load it.</summary>
    Constructing = 0,
    Running = 1,
    Paused = 2,
    /// <summary>Stopped; <see cref="DomainInfo.Reason"/> says why.</summary>
    Shutdown = 3,
    Dying = 4,
}

/// <summary>
/// One domain as <see cref="DomainGetInfo"/> and <see cref="DomainList"/> report it (xl list's columns).
/// <see cref="Reason"/> is set only in state Shutdown.
/// </summary>
public sealed record DomainInfo(ushort Domid, string Name, DomainRunState State, DomainDeathReason? Reason, ulong MemoryKiB, uint Vcpus, ulong CpuTimeNs)
{
    public const int MaxNameBytes = 64;

    internal void Write(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(7);
        writer.Write(Domid);
        writer.Write(Name);
        writer.Write((byte)State);
        if (Reason is { } reason)
            writer.Write((byte)reason);
        else
            writer.WriteNil();
        writer.Write(MemoryKiB);
        writer.Write(Vcpus);
        writer.Write(CpuTimeNs);
    }

    internal static DomainInfo Read(ref MessagePackReader reader)
    {
        FieldReader.Fields(ref reader, 7, nameof(DomainInfo));
        ushort domid = reader.ReadUInt16();
        string name = FieldReader.String(ref reader, MaxNameBytes, "DomainInfo.Name");
        byte state = reader.ReadByte();
        if (state > (byte)DomainRunState.Dying)
            throw new MessagePackSerializationException($"DomainInfo.State: {state} is not a domain state");
        DomainDeathReason? reason = null;
        if (!reader.TryReadNil())
        {
            byte r = reader.ReadByte();
            if (r > (byte)DomainDeathReason.Destroyed)
                throw new MessagePackSerializationException($"DomainInfo.Reason: {r} is not a death reason");
            reason = (DomainDeathReason)r;
        }
        return new(domid, name, (DomainRunState)state, reason, reader.ReadUInt64(), reader.ReadUInt32(), reader.ReadUInt64());
    }
}
