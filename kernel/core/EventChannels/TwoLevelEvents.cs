using Micro.Core.Domains;
using Micro.Core.Memory;

namespace Micro.Core.EventChannels;

/// <summary>
/// Xen's 2-level event ABI (xen/common/event_2l.c semantics) on a domain's shared_info and vcpu_info:
/// evtchn_pending and evtchn_mask bitmaps, the per-vCPU evtchn_pending_sel selector and
/// evtchn_upcall_pending. All bit updates are atomic because the guest changes the same words.
/// </summary>
public static unsafe class TwoLevelEvents
{
    private static ulong* PendingWord(Domain d, int port) =>
        (ulong*)(d.SharedInfo + SharedInfoLayout.EvtchnPending) + (port >> 6);

    private static ulong* MaskWord(Domain d, int port) =>
        (ulong*)(d.SharedInfo + SharedInfoLayout.EvtchnMask) + (port >> 6);

    private static ulong* SelectorWord(Domain d, int vcpu) =>
        (ulong*)(d.VcpuInfo(vcpu) + SharedInfoLayout.PendingSel);

    /// <summary>
    /// Marks <paramref name="port"/> pending. When it was not pending, is not masked and its selector bit
    /// is newly set, marks events pending on <paramref name="vcpu"/> (which may raise the upcall).
    /// Polling vCPUs are woken even for masked ports, as in Xen.
    /// </summary>
    public static void SetPending(Domain d, int port, int vcpu)
    {
        if (!InRange(d, port, vcpu))
            return;
        if (SharedWord.TestAndSetBit(PendingWord(d, port), port & 63))
            return;
        if (!SharedWord.TestBit(MaskWord(d, port), port & 63) &&
            !SharedWord.TestAndSetBit(SelectorWord(d, vcpu), port >> 6))
        {
            MarkEventsPending(d, vcpu);
        }
        d.WakePollers(port);
    }

    /// <summary>Sets evtchn_upcall_pending; asks the substrate for an upcall only when it was clear.</summary>
    public static void MarkEventsPending(Domain d, int vcpu)
    {
        if (!d.IsValidVcpu(vcpu))
            return;
        if (!SharedWord.TestAndSetBit((ulong*)(d.VcpuInfo(vcpu) + SharedInfoLayout.UpcallPending), 0))
            d.Substrate.RaiseUpcall(vcpu);
    }

    /// <summary>EVTCHNOP_unmask: clears the mask bit and re-raises the event if it is pending.</summary>
    public static void Unmask(Domain d, int port, int vcpu)
    {
        if (!InRange(d, port, vcpu))
            return;
        if (SharedWord.TestAndClearBit(MaskWord(d, port), port & 63) &&
            SharedWord.TestBit(PendingWord(d, port), port & 63) &&
            !SharedWord.TestAndSetBit(SelectorWord(d, vcpu), port >> 6))
        {
            MarkEventsPending(d, vcpu);
        }
    }

    public static void ClearPending(Domain d, int port)
    {
        if (InRange(d, port, 0))
            SharedWord.TestAndClearBit(PendingWord(d, port), port & 63);
    }

    public static bool IsPending(Domain d, int port) => InRange(d, port, 0) && SharedWord.TestBit(PendingWord(d, port), port & 63);

    public static bool IsMasked(Domain d, int port) => InRange(d, port, 0) && SharedWord.TestBit(MaskWord(d, port), port & 63);

    public static bool UpcallPending(Domain d, int vcpu) =>
        d.IsValidVcpu(vcpu) && d.VcpuInfo(vcpu)[SharedInfoLayout.UpcallPending] != 0;

    /// <summary>What SCHEDOP_block does first: re-enable event delivery (the PV upcall mask).</summary>
    public static void EnableDelivery(Domain d, int vcpu)
    {
        if (d.IsValidVcpu(vcpu))
            d.VcpuInfo(vcpu)[SharedInfoLayout.UpcallMask] = 0;
    }

    /// <summary>Every entry checks its port and vCPU, so no caller can make it touch memory outside the bitmaps.</summary>
    private static bool InRange(Domain d, int port, int vcpu) =>
        (uint)port < (uint)SharedInfoLayout.MaxPorts && d.IsValidVcpu(vcpu);
}
