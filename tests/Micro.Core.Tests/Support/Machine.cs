using Micro.Core.Domains;
using Micro.Core.Memory;

namespace Micro.Core.Tests.Support;

/// <summary>A core with its test substrate: pages, log, lock, and helpers to make domains.</summary>
public sealed class Machine
{
    public const int GuestMemorySize = 1 << 20;

    public Machine(int maxDomains = 64)
    {
        Core = new Hypervisor(Log, Lock, Pages, maxDomains);
    }

    public TestPages Pages { get; } = new();
    public RecordingLog Log { get; } = new();
    public TestLock Lock { get; } = new();
    public Hypervisor Core { get; }

    public Dictionary<int, RecordingSubstrate> Substrates { get; } = new();
    public Dictionary<int, ArrayGuestMemory> Memories { get; } = new();

    public Domain Guest(int vcpus = 2)
    {
        var memory = new ArrayGuestMemory(GuestMemorySize);
        var substrate = new RecordingSubstrate();
        Assert.Equal(0, Core.CreateBootDomain(DomainConfig.Guest(vcpus), memory, substrate, out Domain? d));
        Substrates[d!.Id] = substrate;
        Memories[d.Id] = memory;
        return d;
    }

    public Domain Service(ServiceRole role, int target = DomId.Invalid)
    {
        var substrate = new RecordingSubstrate();
        Assert.Equal(0, Core.CreateBootDomain(DomainConfig.Service(role, target), new NoGuestMemory(), substrate, out Domain? d));
        Substrates[d!.Id] = substrate;
        return d;
    }

    public RecordingSubstrate Substrate(Domain d) => Substrates[d.Id];

    public ArrayGuestMemory Memory(Domain d) => Memories[d.Id];

    /// <summary>A hypercall from vCPU <paramref name="vcpu"/> of <paramref name="d"/>.</summary>
    public long Call(Domain d, ulong nr, ulong a1 = 0, ulong a2 = 0, ulong a3 = 0, int vcpu = 0) =>
        Core.Hypercalls.Dispatch(d, vcpu, nr, a1, a2, a3, 0, 0);
}
