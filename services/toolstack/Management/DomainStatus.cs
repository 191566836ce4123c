namespace Micro.Toolstack.Management;

/// <summary>
/// One domain as <c>micro list</c> and <c>micro info</c> show it. <see cref="State"/> uses xl's six
/// flags (r running, b blocked, p paused, s shut down, c crashed, d dying); <see cref="Seconds"/> is
/// how long the domain has existed. <see cref="ConsoleLog"/> is the file its console text goes to.
/// </summary>
public sealed record DomainStatus(ushort Domid, string Name, string Uuid, uint MemoryMiB, uint Vcpus, string State, double Seconds, string ConsoleLog, string ConfigJson);
