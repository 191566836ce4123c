using MessagePack;

namespace Micro.Protocol.Messages;

/// <summary>
/// The base of every internal message. Each message is a small sealed record that writes itself
/// as a MessagePack array of its fields and reads itself back with every field checked. No
/// resolver or reflection is involved, so the code is AOT- and trim-safe.
/// </summary>
public abstract record Message
{
    public abstract MessageType Type { get; }

    public abstract void Write(ref MessagePackWriter writer);

    /// <summary>True when <paramref name="type"/> names a contract this build knows.</summary>
    public static bool IsKnown(MessageType type) => Enum.IsDefined(type);

    /// <summary>
    /// Reads the payload of a message of <paramref name="type"/>. Throws MessagePackSerializationException
    /// (shape or field wrong), EndOfStreamException (truncated) or OverflowException (number out of
    /// range); the frame decoder turns those into precise errors.
    /// </summary>
    public static Message Read(MessageType type, ref MessagePackReader reader) => type switch
    {
        MessageType.Hello => Hello.Read(ref reader),
        MessageType.HelloReply => HelloReply.Read(ref reader),
        MessageType.HealthPing => HealthPing.Read(ref reader),
        MessageType.HealthPong => HealthPong.Read(ref reader),
        MessageType.LogLine => LogLine.Read(ref reader),
        MessageType.ErrorReply => ErrorReply.Read(ref reader),
        MessageType.OkReply => OkReply.Read(ref reader),
        MessageType.EvtchnAllocUnbound => EvtchnAllocUnbound.Read(ref reader),
        MessageType.EvtchnBindInterdomain => EvtchnBindInterdomain.Read(ref reader),
        MessageType.EvtchnSend => EvtchnSend.Read(ref reader),
        MessageType.EvtchnClose => EvtchnClose.Read(ref reader),
        MessageType.EvtchnUnmask => EvtchnUnmask.Read(ref reader),
        MessageType.EvtchnPortReply => EvtchnPortReply.Read(ref reader),
        MessageType.GrantMap => GrantMap.Read(ref reader),
        MessageType.GrantMapReply => GrantMapReply.Read(ref reader),
        MessageType.GrantUnmap => GrantUnmap.Read(ref reader),
        MessageType.DomainCreate => DomainCreate.Read(ref reader),
        MessageType.DomainCreateReply => DomainCreateReply.Read(ref reader),
        MessageType.DomainDestroy => DomainDestroy.Read(ref reader),
        MessageType.DomainPause => DomainPause.Read(ref reader),
        MessageType.DomainUnpause => DomainUnpause.Read(ref reader),
        MessageType.DomainDied => DomainDied.Read(ref reader),
        MessageType.DomainShutdown => DomainShutdown.Read(ref reader),
        MessageType.DomainWriteMemory => DomainWriteMemory.Read(ref reader),
        MessageType.DomainSetEntry => DomainSetEntry.Read(ref reader),
        MessageType.DomainList => DomainList.Read(ref reader),
        MessageType.DomainListReply => DomainListReply.Read(ref reader),
        MessageType.DomainGetInfo => DomainGetInfo.Read(ref reader),
        MessageType.DomainInfoReply => DomainInfoReply.Read(ref reader),
        MessageType.DomainWatch => DomainWatch.Read(ref reader),
        MessageType.DomainRings => DomainRings.Read(ref reader),
        MessageType.DomainRingsReply => DomainRingsReply.Read(ref reader),
        MessageType.SetHvmParam => SetHvmParam.Read(ref reader),
        MessageType.GetHvmParam => GetHvmParam.Read(ref reader),
        MessageType.HvmParamReply => HvmParamReply.Read(ref reader),
        MessageType.IoreqServerRegister => IoreqServerRegister.Read(ref reader),
        _ => throw new MessagePackSerializationException($"message type {(ushort)type} has no contract"),
    };
}
