using Micro.Core.Domains;

namespace Micro.Core.Tests.Support;

/// <summary>The substrate side of one test domain: remembers upcalls, blocks, console bytes and foreign maps.</summary>
public sealed unsafe class RecordingSubstrate : DomainSubstrate
{
    public List<int> Upcalls { get; } = new();
    public List<(int Vcpu, ulong Timeout)> Blocks { get; } = new();
    public List<int> Wakes { get; } = new();
    public List<DomainState> States { get; } = new();
    public List<byte> Console { get; } = new();
    public Dictionary<ulong, (int Granter, ulong Gfn, bool ReadOnly)> ForeignMaps { get; } = new();

    /// <summary>When set, MapForeignFrame fails with this errno.</summary>
    public int MapFailure { get; set; }

    public int UpcallsOn(int vcpu) => Upcalls.Count(v => v == vcpu);

    public override void RaiseUpcall(int vcpu) => Upcalls.Add(vcpu);

    public override void BlockVcpu(int vcpu, ulong timeoutNs) => Blocks.Add((vcpu, timeoutNs));

    public override void WakeVcpu(int vcpu) => Wakes.Add(vcpu);

    public override void ConsoleWrite(byte* data, int length)
    {
        for (int i = 0; i < length; i++)
            Console.Add(data[i]);
    }

    public override void StateChanged(DomainState state) => States.Add(state);

    public override int MapForeignFrame(ulong address, Domain granter, ulong gfn, bool readOnly)
    {
        if (MapFailure != 0)
            return MapFailure;
        ForeignMaps.Add(address, (granter.Id, gfn, readOnly));
        return 0;
    }

    public override void UnmapForeignFrame(ulong address) => Assert.True(ForeignMaps.Remove(address));
}
