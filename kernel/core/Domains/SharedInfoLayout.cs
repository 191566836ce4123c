namespace Micro.Core.Domains;

/// <summary>
/// Byte offsets in Xen's x86_64 shared_info page and vcpu_info (xen/include/public/xen.h and
/// arch-x86/xen.h): vcpu_info[32] of 64 bytes, then evtchn_pending[64] and evtchn_mask[64] of
/// xen_ulong_t, then the wallclock.
/// </summary>
public static class SharedInfoLayout
{
    public const int LegacyVcpus = 32;
    public const int VcpuInfoSize = 64;
    public const int EvtchnPending = 2048;
    public const int EvtchnMask = 2560;
    public const int WcVersion = 3072;

    /// <summary>vcpu_info.evtchn_upcall_pending (uint8).</summary>
    public const int UpcallPending = 0;
    /// <summary>vcpu_info.evtchn_upcall_mask (uint8).</summary>
    public const int UpcallMask = 1;
    /// <summary>vcpu_info.evtchn_pending_sel (xen_ulong_t).</summary>
    public const int PendingSel = 8;

    /// <summary>2-level event channels on x86_64: 64 words of 64 bits.</summary>
    public const int MaxPorts = 64 * 64;
}
