using Micro.XenStore.Store;
using Micro.XenStore.Watches;
using Micro.XenStore.Wire;

namespace Micro.XenStore.Connections;

/// <summary>
/// One client of the store, whatever carries its bytes (Xen's Unix socket or a guest's ring page):
/// the domain it speaks for, its watches and open transactions, and the queue of messages for it.
/// Replies and events are queued in the order they are produced and sent by the transport.
/// </summary>
public abstract class Connection
{
    private static long s_nextSerial;
    private readonly Queue<byte[]> _output = new();

    protected Connection(uint domId, bool privileged)
    {
        DomId = domId;
        Privileged = privileged;
        Serial = Interlocked.Increment(ref s_nextSerial);
    }

    public uint DomId { get; }

    /// <summary>Privileged connections (dom0's, the socket's) bypass permissions and quotas.</summary>
    public bool Privileged { get; }

    /// <summary>The domain this one may act for (XS_SET_TARGET), as if it owned its nodes.</summary>
    public uint? Target { get; set; }

    /// <summary>Creation order: events go to connections in this order, as in the C daemon.</summary>
    public long Serial { get; }

    public List<Watch> Watches { get; } = [];
    public Dictionary<uint, Transaction> Transactions { get; } = [];
    public uint NextTransactionId { get; set; } = 1;

    /// <summary>Transaction ids below this that are not open were open before a daemon restart (EAGAIN).</summary>
    public uint RestoredTransactionLimit { get; set; }

    /// <summary>True if the connection survives a daemon restart (a guest's ring), so its watches are saved.</summary>
    public virtual bool Persistent => false;
    public bool Closed { get; private set; }

    public int QueuedBytes { get; private set; }
    public int QueuedMessages => _output.Count;

    public void Enqueue(byte[] frame)
    {
        if (Closed)
            return;
        _output.Enqueue(frame);
        QueuedBytes += frame.Length;
    }

    public void Enqueue(XsMessageType type, uint reqId, uint txId, ReadOnlySpan<byte> payload)
        => Enqueue(XsMessage.Encode((uint)type, reqId, txId, payload));

    /// <summary>The queued frames, oldest first (the transport may have sent part of the first).</summary>
    public IEnumerable<byte[]> QueuedOutput => _output;

    public bool TryPeekOutput(out byte[] frame) => _output.TryPeek(out frame!);

    public void DequeueOutput()
    {
        QueuedBytes -= _output.Dequeue().Length;
    }

    /// <summary>Marks the connection dead; the transport releases what carries it.</summary>
    public virtual void Close()
    {
        Closed = true;
        _output.Clear();
        QueuedBytes = 0;
    }

    public override string ToString() => $"connection {Serial} (domain {DomId})";
}
