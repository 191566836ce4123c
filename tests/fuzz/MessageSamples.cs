using Micro.Protocol.Messages;

namespace Micro.Fuzz;

/// <summary>One sample of every contract, with edge values: round-trip tests and the fuzzers' seed corpus.</summary>
public static class MessageSamples
{
    public static readonly Message[] All =
    [
        new Hello("xenstored", 4242, 1),
        new HelloReply(1, 1),
        new HealthPing(ulong.MaxValue),
        new HealthPong(0),
        new LogLine(LogLevel.Warning, "ring full, waiting — ünïcödé"),
        new ErrorReply(1, "EPERM: domain 3 may not map domain 0"),
        new OkReply(),
        new EvtchnAllocUnbound(1, 0x7FF0),
        new EvtchnBindInterdomain(0, 4095),
        new EvtchnSend(uint.MaxValue),
        new EvtchnClose(3),
        new EvtchnUnmask(4),
        new EvtchnPortReply(5),
        new GrantMap(7, 8, true),
        new GrantMapReply(9),
        new GrantUnmap(10),
        new DomainCreate("guest-1", 512, 2),
        new DomainCreateReply(11),
        new DomainDestroy(12),
        new DomainPause(13),
        new DomainUnpause(ushort.MaxValue),
        new DomainDied(14, DomainDeathReason.Crash),
        new DomainShutdown(14, DomainDeathReason.Reboot),
        new DomainWriteMemory(14, 0x10_0000, [0xF4, 0x00, 0xFF]),
        new DomainSetEntry(14, 0x10_0000),
        new DomainList(),
        new DomainListReply([new DomainInfo(1, "guest-1", DomainRunState.Shutdown, DomainDeathReason.Poweroff, 65536, 2, 123_456_789), new DomainInfo(2, "", DomainRunState.Running, null, 0, 1, 0)]),
        new DomainGetInfo(ushort.MaxValue),
        new DomainInfoReply(new DomainInfo(3, "ünïcödé", DomainRunState.Constructing, null, ulong.MaxValue, uint.MaxValue, ulong.MaxValue)),
        new DomainWatch(),
        new DomainRings(15),
        new DomainRingsReply(0xFEFFF, 1, 0xFEFFE, 2),
        new SetHvmParam(15, 1, 0xFEFF_F000),
        new GetHvmParam(16, 18),
        new HvmParamReply(ulong.MaxValue),
        new IoreqServerRegister(17, IoreqKind.Mmio, 0xFEB0_0000, 0xFEB0_0FFF),
    ];
}
