using Micro.Core.Domains;
using Micro.Core.EventChannels;

namespace Micro.Core.Tests.Support;

/// <summary>A domain's side of the 2-level ABI, as a guest's event handler sees and changes it.</summary>
public static unsafe class EventView
{
    private static ulong* MaskWord(Domain d, int port) => (ulong*)(d.SharedInfo + SharedInfoLayout.EvtchnMask) + (port >> 6);

    private static ulong* PendingWord(Domain d, int port) => (ulong*)(d.SharedInfo + SharedInfoLayout.EvtchnPending) + (port >> 6);

    public static bool Pending(Domain d, int port) => TwoLevelEvents.IsPending(d, port);

    public static void Mask(Domain d, int port) => Interlocked.Or(ref *(long*)MaskWord(d, port), 1L << (port & 63));

    public static ulong Selector(Domain d, int vcpu) => *(ulong*)(d.VcpuInfo(vcpu) + SharedInfoLayout.PendingSel);

    public static byte UpcallPending(Domain d, int vcpu) => d.VcpuInfo(vcpu)[SharedInfoLayout.UpcallPending];

    /// <summary>
    /// What a guest's upcall handler does: clear upcall_pending, take the selector, and for each selected
    /// word take the pending and unmasked ports, clearing their pending bits. Returns those ports.
    /// </summary>
    public static List<int> Acknowledge(Domain d, int vcpu)
    {
        var ports = new List<int>();
        d.VcpuInfo(vcpu)[SharedInfoLayout.UpcallPending] = 0;
        ulong* sel = (ulong*)(d.VcpuInfo(vcpu) + SharedInfoLayout.PendingSel);
        ulong selector = (ulong)Interlocked.Exchange(ref *(long*)sel, 0);
        for (int word = 0; word < 64; word++)
        {
            if ((selector & (1UL << word)) == 0)
                continue;
            ulong ready = *PendingWord(d, word * 64) & ~*MaskWord(d, word * 64);
            for (int bit = 0; bit < 64; bit++)
            {
                if ((ready & (1UL << bit)) == 0)
                    continue;
                // Atomic, like a guest's sync_clear_bit: the core sets other bits of this word concurrently.
                Interlocked.And(ref *(long*)PendingWord(d, word * 64), ~(1L << bit));
                ports.Add((word * 64) + bit);
            }
        }
        return ports;
    }
}
