namespace Micro.Protocol.Messages;

/// <summary>
/// Every internal message contract of Micro, declared here and only here. To add one:
/// (1) give it a number below (never reuse or renumber one that shipped),
/// (2) write its sealed record in this folder next to its kin, with Write and Read,
/// (3) add its case to <see cref="Message.Read"/>, and
/// (4) add a sample to the round-trip test so its encoding is pinned.
/// Replies carry the request id of the request they answer (see Framing/Envelope).
/// </summary>
public enum MessageType : ushort
{
    // Session: every service says hello on its control ring first.
    Hello = 1,
    HelloReply = 2,
    HealthPing = 3,
    HealthPong = 4,
    LogLine = 5,
    ErrorReply = 6,
    OkReply = 7,

    // Event channels (service → core hypercalls).
    EvtchnAllocUnbound = 20,
    EvtchnBindInterdomain = 21,
    EvtchnSend = 22,
    EvtchnClose = 23,
    EvtchnUnmask = 24,
    EvtchnPortReply = 25,

    // Grant tables.
    GrantMap = 40,
    GrantMapReply = 41,
    GrantUnmap = 42,

    // Domains.
    DomainCreate = 60,
    DomainCreateReply = 61,
    DomainDestroy = 62,
    DomainPause = 63,
    DomainUnpause = 64,
    DomainDied = 65,
    DomainShutdown = 66,
    DomainWriteMemory = 67,
    DomainSetEntry = 68,
    DomainList = 69,
    DomainListReply = 70,
    DomainGetInfo = 71,
    DomainInfoReply = 72,
    DomainWatch = 73,
    DomainRings = 74,
    DomainRingsReply = 75,

    // HVM params and device-model registration.
    SetHvmParam = 80,
    GetHvmParam = 81,
    HvmParamReply = 82,
    IoreqServerRegister = 83,
}
