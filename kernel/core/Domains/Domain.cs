using Micro.Core.EventChannels;
using Micro.Core.GrantTables;
using Micro.Core.Memory;

namespace Micro.Core.Domains;

/// <summary>
/// One domain: a guest or a service. It owns its event-channel table, its grant table, its
/// shared_info page and its HVM params; its memory and vCPUs belong to the substrate.
/// </summary>
public sealed unsafe class Domain
{
    public const int MaxVcpus = SharedInfoLayout.LegacyVcpus;

    private readonly nint[] vcpuInfo;
    private readonly byte[] upcallVectors;
    private readonly ulong[] hvmParams = new ulong[HvmParam.NR_PARAMS];
    private readonly bool[] polling;
    private readonly int[] pollPort;

    internal Domain(int id, uint generation, DomainKind kind, ServiceRole role, int targetId, int vcpuCount,
        GuestMemory memory, DomainSubstrate substrate, byte* sharedInfoPage, GrantTable grants, int maxPorts)
    {
        Id = id;
        Generation = generation;
        Kind = kind;
        Role = role;
        TargetId = targetId;
        VcpuCount = vcpuCount;
        Memory = memory;
        Substrate = substrate;
        SharedInfoBacking = sharedInfoPage;
        SharedInfo = sharedInfoPage;
        SharedInfoGfn = NoGfn;
        Grants = grants;
        EventChannels = new EventChannelTable(maxPorts, vcpuCount);
        Privileges = Policy.PrivilegePolicy.PrivilegesOf(kind, role);
        State = DomainState.Constructing;
        ShutdownReason = Domains.ShutdownReason.None;
        vcpuInfo = new nint[vcpuCount];
        upcallVectors = new byte[vcpuCount];
        polling = new bool[vcpuCount];
        pollPort = new int[vcpuCount];
    }

    /// <summary>"Not mapped in guest-physical memory."</summary>
    public const ulong NoGfn = ulong.MaxValue;

    public int Id { get; }

    /// <summary>Tells this domain from an earlier one that had the same id.</summary>
    public uint Generation { get; }

    public DomainKind Kind { get; }

    public ServiceRole Role { get; }

    /// <summary>The guest a device model serves; <see cref="DomId.Invalid"/> for everyone else.</summary>
    public int TargetId { get; }

    public Privilege Privileges { get; }

    public int VcpuCount { get; }

    public DomainState State { get; internal set; }

    /// <summary>The SHUTDOWN_* reason once <see cref="State"/> is Shutdown; <see cref="ShutdownReason.None"/> before.</summary>
    public int ShutdownReason { get; internal set; }

    public GuestMemory Memory { get; }

    public DomainSubstrate Substrate { get; }

    public EventChannelTable EventChannels { get; }

    public GrantTable Grants { get; }

    /// <summary>The 4096-byte shared_info page: a core-owned page, or the guest frame it was mapped at.</summary>
    public byte* SharedInfo { get; internal set; }

    /// <summary>The core-owned page shared_info starts in; a service reads its pending bits there.</summary>
    public byte* SharedInfoBacking { get; }

    /// <summary>Where the guest mapped shared_info (XENMEM_add_to_physmap), or <see cref="NoGfn"/>.</summary>
    public ulong SharedInfoGfn { get; internal set; }

    public bool IsAlive => State != DomainState.Dying;

    public bool IsGuest => Kind == DomainKind.Guest;

    /// <summary>vcpu_info of <paramref name="vcpu"/>: where VCPUOP_register_vcpu_info put it, else its slot in shared_info.</summary>
    public byte* VcpuInfo(int vcpu)
    {
        nint registered = vcpuInfo[vcpu];
        if (registered != 0)
            return (byte*)registered;
        return SharedInfo + vcpu * SharedInfoLayout.VcpuInfoSize;
    }

    internal bool VcpuInfoRegistered(int vcpu) => vcpuInfo[vcpu] != 0;

    internal void RegisterVcpuInfo(int vcpu, byte* location) => vcpuInfo[vcpu] = (nint)location;

    public bool IsValidVcpu(int vcpu) => vcpu >= 0 && vcpu < VcpuCount;

    public ulong HvmParamValue(int index) => hvmParams[index];

    internal void SetHvmParamValue(int index, ulong value) => hvmParams[index] = value;

    /// <summary>
    /// The vector to inject for an event upcall on <paramref name="vcpu"/>: the per-vCPU one
    /// (HVMOP_set_evtchn_upcall_vector), else the CALLBACK_IRQ param when it is of vector type, else 0.
    /// </summary>
    public int UpcallVector(int vcpu)
    {
        if (upcallVectors[vcpu] != 0)
            return upcallVectors[vcpu];
        ulong callback = hvmParams[HvmParam.CALLBACK_IRQ];
        if (callback >> HvmParam.CallbackTypeShift == HvmParam.CallbackTypeVector)
            return (int)(callback & 0xFF);
        return 0;
    }

    internal void SetUpcallVector(int vcpu, byte vector) => upcallVectors[vcpu] = vector;

    /// <summary>SCHEDOP_poll: <paramref name="port"/> is the one polled port, or -1 for "any of several".</summary>
    internal void StartPoll(int vcpu, int port)
    {
        polling[vcpu] = true;
        pollPort[vcpu] = port;
    }

    internal void StopPoll(int vcpu) => polling[vcpu] = false;

    /// <summary>Wakes vCPUs polling <paramref name="port"/> (Xen's evtchn_check_pollers).</summary>
    internal void WakePollers(int port)
    {
        for (int vcpu = 0; vcpu < VcpuCount; vcpu++)
        {
            if (!polling[vcpu] || (pollPort[vcpu] >= 0 && pollPort[vcpu] != port))
                continue;
            polling[vcpu] = false;
            Substrate.WakeVcpu(vcpu);
        }
    }

    public bool IsPolling(int vcpu) => polling[vcpu];
}
