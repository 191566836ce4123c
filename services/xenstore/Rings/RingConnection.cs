using Micro.Protocol.Rings;
using Micro.Protocol.Xen;
using Micro.XenStore.Connections;
using Micro.XenStore.Wire;

namespace Micro.XenStore.Rings;

/// <summary>
/// A guest domain's connection over its xenstore ring. It survives a store restart (its watches and
/// transaction counter are persisted, and <see cref="Progress"/> says where both streams stood), so
/// the guest carries on without reconnecting. A guest that breaks the ring (inconsistent indices, an
/// oversized message) gets the error indicator set and its connection closed; nobody else notices.
/// </summary>
public sealed class RingConnection : Connection
{
    private readonly byte[] _buffer = new byte[XenStoreInterface.XENSTORE_RING_SIZE];
    private readonly XsFrameDecoder _decoder = new();
    private int _sentOfHead;
    private uint _signalledConsumed;

    public RingConnection(GuestRing ring) : base(ring.DomId, privileged: ring.DomId == 0)
    {
        Ring = ring;
        _signalledConsumed = ring.RequestConsumed;
    }

    public GuestRing Ring { get; }
    public override bool Persistent => true;

    /// <summary>Why the connection was stopped (set with the page's error indicator), or null.</summary>
    public string? Fault { get; private set; }

    /// <summary>Output waiting for a guest beyond which it is disconnected (it stopped reading).</summary>
    public const int MaxQueuedBytes = 1 << 20;

    private bool _moved;
    private int _recordedQueued;
    private uint _recordedProduced;

    /// <summary>True if either stream moved since the last <see cref="Progress"/>, so a record is due.</summary>
    public bool NeedsRecord => _moved || QueuedBytes != _recordedQueued || Ring.ResponseProduced != _recordedProduced;

    /// <summary>
    /// Reads every request byte the guest produced and hands complete messages to <paramref name="handle"/>.
    /// Returns false when the guest broke the ring or the protocol (see <see cref="Fault"/>).
    /// </summary>
    public bool Pump(Action<XsMessage> handle)
    {
        if (Fault is not null)
            return false;
        while (true)
        {
            RingResult r = Ring.ReadRequests(_buffer);
            if (r.IsFault)
                return Stop(XenStoreInterface.XENSTORE_ERROR_RINGIDX, "request ring: " + r.Describe());
            if (r.Count == 0)
                return true;
            _moved = true;
            if (!_decoder.Feed(_buffer.AsSpan(0, r.Count), handle))
                return Stop(XenStoreInterface.XENSTORE_ERROR_PROTO, _decoder.Error!);
        }
    }

    /// <summary>Writes queued output while the reply ring has room; true if anything was written.</summary>
    public bool Flush()
    {
        if (Fault is not null)
            return false;
        if (QueuedBytes > MaxQueuedBytes)
        {
            Stop(XenStoreInterface.XENSTORE_ERROR_COMMS, $"{QueuedBytes} bytes of replies wait for the guest, which does not read them");
            return false;
        }
        bool wrote = false;
        while (TryPeekOutput(out byte[] frame))
        {
            RingResult r = Ring.WriteResponses(frame.AsSpan(_sentOfHead));
            if (r.IsFault)
            {
                Stop(XenStoreInterface.XENSTORE_ERROR_RINGIDX, "reply ring: " + r.Describe());
                return wrote;
            }
            if (r.Count == 0)
                break;
            wrote = true;
            _sentOfHead += r.Count;
            if (_sentOfHead == frame.Length)
            {
                _sentOfHead = 0;
                DequeueOutput();
            }
        }
        return wrote;
    }

    /// <summary>
    /// Where both streams stand once this batch's output is written: requests consumed up to
    /// <c>Consumed</c> with <c>Partial</c> bytes of an incomplete message held; <c>Unsent</c> goes to
    /// the reply ring from index <c>OutputStart</c>.
    /// </summary>
    public RingProgress Progress()
    {
        _moved = false;
        _recordedQueued = QueuedBytes;
        _recordedProduced = Ring.ResponseProduced;
        var unsent = new MemoryStream();
        bool head = true;
        foreach (byte[] frame in QueuedOutput)
        {
            unsent.Write(frame, head ? _sentOfHead : 0, frame.Length - (head ? _sentOfHead : 0));
            head = false;
        }
        return new RingProgress(DomId, Ring.RequestConsumed, _decoder.Buffered(), Ring.ResponseProduced, unsent.ToArray());
    }

    /// <summary>Continues from a saved <see cref="RingProgress"/> after a store restart.</summary>
    public bool Resume(RingProgress saved, uint pageResponseProduced)
    {
        uint written = pageResponseProduced - saved.OutputStart;
        if (written > saved.Unsent.Length)
            return Stop(XenStoreInterface.XENSTORE_ERROR_RINGIDX, $"reply index {pageResponseProduced:#x} is not within the saved output");
        Ring.Resume(saved.Consumed, pageResponseProduced);
        if (!_decoder.Feed(saved.Partial, _ => throw new InvalidDataException("a saved partial request holds a whole message")))
            return Stop(XenStoreInterface.XENSTORE_ERROR_PROTO, _decoder.Error!);
        if (written < saved.Unsent.Length)
            Enqueue(saved.Unsent[(int)written..]);
        return true;
    }

    private bool Stop(uint error, string why)
    {
        Fault = why;
        Ring.Error = error;
        return false;
    }

    /// <summary>Asks for a progress record even though nothing was read (after a reset).</summary>
    public void MarkMoved() => _moved = true;

    /// <summary>True if request bytes were released since the guest was last signalled about it.</summary>
    public bool TakeConsumedSignal()
    {
        bool moved = Ring.RequestConsumed != _signalledConsumed;
        _signalledConsumed = Ring.RequestConsumed;
        return moved;
    }

    public override string ToString() => $"ring of domain {DomId}";
}
