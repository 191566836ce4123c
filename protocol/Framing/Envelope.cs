using Micro.Protocol.Messages;

namespace Micro.Protocol.Framing;

/// <summary>One decoded frame: who speaks which version, which request this is (or answers), and the message.</summary>
public readonly record struct Envelope(ushort Version, ulong RequestId, Message Message)
{
    public MessageType Type => Message.Type;
}
