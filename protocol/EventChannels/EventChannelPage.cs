using System.Numerics;
using System.Runtime.CompilerServices;
using Micro.Protocol.Os;

namespace Micro.Protocol.EventChannels;

/// <summary>
/// The event-channel state of one receiver in shared memory, with Xen's 2-level layout and rules
/// (shared_info's evtchn_pending/evtchn_mask, vcpu_info's evtchn_pending_sel and evtchn_upcall_pending),
/// plus one hosted addition: a <c>blocked</c> word saying the receiver is (about to be) asleep on its eventfd.
///
/// Layout (4096 bytes, little-endian, 64-bit words):
///   0     pending[64]      one bit per port 0..4095 (port 0 is never valid, as in Xen)
///   512   mask[64]         a set bit keeps the port from raising the upcall; it stays pending
///   1024  pending_sel      bit w: pending[w] may hold unmasked pending ports
///   1032  upcall_pending   u32, 1: the receiver has events to look at
///   1036  blocked          u32, 1: the receiver may be asleep; a notifier that raises the upcall must kick
///
/// Rules (Xen's evtchn_2l_set_pending / evtchn_2l_unmask): send sets the pending bit; only a 0→1 change
/// of an unmasked port sets its selector bit and then the upcall; unmasking a pending port re-raises it.
/// Every index here is bounded by construction, so whatever a peer writes into the page can at worst
/// cause spurious or missed events on this page, never an access outside it; receivers treat an event
/// as a hint to look at their rings and check each port against their own bindings, as Xen guests do.
/// </summary>
public sealed unsafe class EventChannelPage : IDisposable
{
    public const int Size = 4096;
    public const int Words = 64;
    public const int PortCount = Words * 64;
    private const int PendingOffset = 0, MaskOffset = 512, SelectorOffset = 1024, UpcallOffset = 1032, BlockedOffset = 1036;

    private readonly byte* _page;

    /// <summary>The mapping; the page owns it (its fd is what travels to notifiers).</summary>
    public SharedMemory Memory { get; }

    /// <summary>Views <paramref name="memory"/> as an event-channel page and takes ownership of it.</summary>
    public EventChannelPage(SharedMemory memory)
    {
        if (memory.Length < Size)
            throw new ArgumentException($"an event-channel page needs {Size} bytes, the memory has {memory.Length}", nameof(memory));
        Memory = memory;
        _page = memory.Pointer;
    }

    /// <summary>A fresh page in new shared memory, all ports clear and unmasked.</summary>
    public static EventChannelPage Create(string name) => new(SharedMemory.Create(name, Size));

    public static bool IsValidPort(int port) => port > 0 && port < PortCount;

    private ulong* Pending => (ulong*)(_page + PendingOffset);
    private ulong* Mask => (ulong*)(_page + MaskOffset);
    private ref ulong Selector => ref *(ulong*)(_page + SelectorOffset);
    private ref uint Upcall => ref *(uint*)(_page + UpcallOffset);
    internal ref uint Blocked => ref *(uint*)(_page + BlockedOffset);

    /// <summary>
    /// Xen's send: marks <paramref name="port"/> pending. Returns true when this raised the upcall
    /// (0→1), i.e. when the receiver may need waking; false when it was already pending, masked, or
    /// the upcall was already raised (then the receiver will see it before it sleeps).
    /// </summary>
    public bool SetPending(int port)
    {
        CheckPort(port);
        ulong bit = 1UL << (port & 63);
        int word = port >> 6;
        if ((Interlocked.Or(ref Pending[word], bit) & bit) != 0)
            return false;
        if ((Volatile.Read(ref Mask[word]) & bit) != 0)
            return false;
        if ((Interlocked.Or(ref Selector, 1UL << word) & (1UL << word)) != 0)
            return false;
        return Interlocked.Exchange(ref Upcall, 1) == 0;
    }

    public void SetMask(int port)
    {
        CheckPort(port);
        Interlocked.Or(ref Mask[port >> 6], 1UL << (port & 63));
    }

    /// <summary>Xen's unmask: clears the mask bit; if the port is pending, re-raises it. Returns true when the upcall went 0→1.</summary>
    public bool ClearMask(int port)
    {
        CheckPort(port);
        ulong bit = 1UL << (port & 63);
        int word = port >> 6;
        Interlocked.And(ref Mask[word], ~bit);
        if ((Volatile.Read(ref Pending[word]) & bit) == 0)
            return false;
        if ((Interlocked.Or(ref Selector, 1UL << word) & (1UL << word)) != 0)
            return false;
        return Interlocked.Exchange(ref Upcall, 1) == 0;
    }

    public bool IsPending(int port)
    {
        CheckPort(port);
        return (Volatile.Read(ref Pending[port >> 6]) & (1UL << (port & 63))) != 0;
    }

    public bool IsMasked(int port)
    {
        CheckPort(port);
        return (Volatile.Read(ref Mask[port >> 6]) & (1UL << (port & 63))) != 0;
    }

    /// <summary>Clears a pending bit without delivering it (Xen's clear_evtchn).</summary>
    public void ClearPending(int port)
    {
        CheckPort(port);
        Interlocked.And(ref Pending[port >> 6], ~(1UL << (port & 63)));
    }

    public bool UpcallPending => Volatile.Read(ref Upcall) != 0;

    /// <summary>
    /// What the upcall handler does: if the upcall is raised, lowers it and takes the pending unmasked ports
    /// (clearing their pending bits) into <paramref name="ports"/>, in port order. Masked pending ports stay
    /// pending. When <paramref name="ports"/> fills up, the rest stay pending and the upcall stays raised.
    /// </summary>
    public int TakePending(Span<int> ports)
    {
        if (Interlocked.Exchange(ref Upcall, 0) == 0)
            return 0;
        ulong selector = Interlocked.Exchange(ref Selector, 0);
        int count = 0;
        while (selector != 0)
        {
            int word = BitOperations.TrailingZeroCount(selector);
            selector &= selector - 1;
            ulong ready = Volatile.Read(ref Pending[word]) & ~Volatile.Read(ref Mask[word]);
            while (ready != 0)
            {
                if (count == ports.Length)
                {
                    // Out of room: put this word and the unvisited ones back, and keep the upcall raised.
                    Interlocked.Or(ref Selector, selector | (1UL << word));
                    Interlocked.Exchange(ref Upcall, 1);
                    return count;
                }
                int bit = BitOperations.TrailingZeroCount(ready);
                ready &= ready - 1;
                int port = (word << 6) | bit;
                // Only deliver what we cleared ourselves: another taker may have raced us to it.
                if ((Interlocked.And(ref Pending[word], ~(1UL << bit)) & (1UL << bit)) != 0 && port != 0)
                    ports[count++] = port;
            }
        }
        return count;
    }

    public void Dispose() => Memory.Dispose();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CheckPort(int port)
    {
        if (!IsValidPort(port))
            throw new ArgumentOutOfRangeException(nameof(port), $"event-channel port {port} is outside 1..{PortCount - 1}");
    }
}
