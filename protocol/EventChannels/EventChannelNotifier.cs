using Micro.Protocol.Os;

namespace Micro.Protocol.EventChannels;

/// <summary>
/// The sending end of one event channel: Xen's EVTCHNOP_send on a bound port, done in the hosted build by
/// setting the remote port pending in the receiver's shared <see cref="EventChannelPage"/> and kicking its
/// eventfd only when that raised its upcall and the receiver announced it may be asleep.
/// </summary>
public sealed class EventChannelNotifier : IDisposable
{
    private long _sends;
    private long _kicks;

    public EventChannelPage RemotePage { get; }
    public EventFd RemoteKick { get; }
    public int RemotePort { get; }

    /// <summary>How many times <see cref="Notify"/> was called.</summary>
    public long Sends => Interlocked.Read(ref _sends);

    /// <summary>How many of those needed a system call (an eventfd write) to wake the receiver.</summary>
    public long Kicks => Interlocked.Read(ref _kicks);

    /// <summary>Takes ownership of <paramref name="remotePage"/> and <paramref name="remoteKick"/>.</summary>
    public EventChannelNotifier(EventChannelPage remotePage, EventFd remoteKick, int remotePort)
    {
        if (!EventChannelPage.IsValidPort(remotePort))
            throw new ArgumentOutOfRangeException(nameof(remotePort), $"event-channel port {remotePort} is outside 1..{EventChannelPage.PortCount - 1}");
        RemotePage = remotePage;
        RemoteKick = remoteKick;
        RemotePort = remotePort;
    }

    /// <summary>
    /// A notifier from fds a peer sent: <paramref name="pageFd"/> must be a sealed memfd of at least a page and
    /// <paramref name="kickFd"/> an eventfd. Takes ownership of both fds: on failure both are closed.
    /// </summary>
    public static EventChannelNotifier Open(int pageFd, int kickFd, int remotePort)
    {
        SharedMemory? memory = null;
        try
        {
            if (!EventChannelPage.IsValidPort(remotePort))
                throw new ArgumentOutOfRangeException(nameof(remotePort), $"event-channel port {remotePort} is outside 1..{EventChannelPage.PortCount - 1}");
            memory = SharedMemory.Map(pageFd, EventChannelPage.Size);
            var kick = EventFd.Adopt(kickFd);
            return new EventChannelNotifier(new EventChannelPage(memory), kick, remotePort);
        }
        catch
        {
            if (memory is null)
                LibC.Close(pageFd);
            else
                memory.Dispose();
            LibC.Close(kickFd);
            throw;
        }
    }

    public void Notify()
    {
        Interlocked.Increment(ref _sends);
        // SetPending's interlocked write of the upcall word is a full fence before we read `blocked`.
        if (RemotePage.SetPending(RemotePort) && Volatile.Read(ref RemotePage.Blocked) != 0)
        {
            Interlocked.Increment(ref _kicks);
            RemoteKick.Signal();
        }
    }

    public void Dispose()
    {
        RemotePage.Dispose();
        RemoteKick.Dispose();
    }
}
