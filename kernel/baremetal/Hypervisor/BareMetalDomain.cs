using Micro.BareMetal.Platform;
using Micro.BareMetal.Svm;
using Micro.Core.Domains;

namespace Micro.BareMetal.Hypervisor;

/// <summary>
/// One guest on bare metal: the substrate side of a core <see cref="Domain"/> (one vCPU, its RAM behind
/// nested paging, its console lines tagged with the domid on the serial port, its run state).
/// </summary>
internal sealed unsafe class BareMetalDomain : DomainSubstrate
{
    private const int LineMax = 160;
    private readonly byte[] _line = new byte[LineMax];
    private int _lineLength;

    public BareMetalDomain(GuestRam ram, NestedPaging npt, int guestIndex)
    {
        Ram = ram;
        Npt = npt;
        GuestIndex = guestIndex;
    }

    public Domain? Core { get; set; }

    public VirtualCpu? Vcpu { get; set; }

    public GuestRam Ram { get; }

    public NestedPaging Npt { get; }

    public int GuestIndex { get; }

    public int Id => Core is null ? -1 : Core.Id;

    /// <summary>Shut down or destroyed: never run again.</summary>
    public bool Stopped { get; private set; }

    /// <summary>Waiting in HLT or SCHEDOP_block/poll for an event.</summary>
    public bool Blocked { get; set; }

    /// <summary>The timeout of the current wait (SCHEDOP_poll's, in ns); 0: none, only an event ends it.</summary>
    public ulong BlockTimeoutNs { get; set; }

    /// <summary>The core raised an upcall that has not been injected yet (the guest had interrupts off).</summary>
    public bool UpcallPending { get; set; }

    public ulong Exits { get; set; }

    /// <summary>What the guest's console said about its test: 0 nothing (yet), 1 SUCCESS, -1 FAILURE.</summary>
    public int TestResult { get; private set; }

    /// <summary>Like an interrupt: wakes a blocked vCPU (SCHEDOP_block, HLT, and, as in Xen, a poll).</summary>
    public override void RaiseUpcall(int vcpu)
    {
        UpcallPending = true;
        Blocked = false;
    }

    public override void BlockVcpu(int vcpu, ulong timeoutNs)
    {
        Blocked = true;
        BlockTimeoutNs = timeoutNs;
    }

    public override void WakeVcpu(int vcpu) => Blocked = false;

    public override void ConsoleWrite(byte* data, int length)
    {
        for (int i = 0; i < length; i++)
            ConsoleByte(data[i]);
    }

    /// <summary>One byte of guest console output; whole lines go to the serial port as "[dN] text".</summary>
    public void ConsoleByte(uint b)
    {
        if (b == '\n' || _lineLength == LineMax)
        {
            FlushLine();
            if (b == '\n')
                return;
        }
        _line[_lineLength++] = (byte)(b >= 0x20 && b < 0x7F ? b : '.');
    }

    public void FlushLine()
    {
        if (_lineLength == 0)
            return;
        if (StartsWith("Test result: SUCCESS") && TestResult == 0)
            TestResult = 1;
        else if (StartsWith("Test result: FAILURE"))
            TestResult = -1;
        Serial.Write("[d");
        Serial.WriteDec(Id);
        Serial.Write("] ");
        for (int i = 0; i < _lineLength; i++)
            Serial.WriteByte(_line[i]);
        Serial.WriteLine();
        _lineLength = 0;
    }

    private bool StartsWith(string prefix)
    {
        if (_lineLength < prefix.Length)
            return false;
        for (int i = 0; i < prefix.Length; i++)
        {
            if (_line[i] != prefix[i])
                return false;
        }
        return true;
    }

    public override void StateChanged(DomainState state)
    {
        if (state == DomainState.Shutdown || state == DomainState.Dying)
        {
            FlushLine();
            Stopped = true;
        }
    }

    public override int MapForeignFrame(ulong address, Domain granter, ulong gfn, bool readOnly)
    {
        // The mapper names the address: it must be a frame its nested page tables can hold.
        byte* frame = granter.Memory.Translate(gfn << 12, 4096);
        if (frame == null || (address & 0xFFF) != 0 || address >= NestedPaging.AddressLimit)
            return -Micro.Core.Errno.EINVAL;
        return Npt.Map(address, (ulong)frame, !readOnly) ? 0 : -Micro.Core.Errno.ENOMEM;
    }

    public override void UnmapForeignFrame(ulong address) => Npt.Unmap(address);
}
