using System.Diagnostics;
using Micro.Protocol.Os;

namespace Micro.Protocol.EventChannels;

/// <summary>
/// The receiving side of event channels in this process: an <see cref="EventChannelPage"/> that notifiers
/// set bits in, and the eventfd they kick when this side may be asleep. One thread waits at a time.
///
/// <see cref="Wait"/> first spins for <see cref="Spin"/> watching the upcall word in memory, because
/// waking an idle vCPU costs 30–100 µs on these machines and the answer often comes sooner; only then
/// does it announce itself blocked (the page's <c>blocked</c> word), re-check, and sleep until the eventfd
/// is written (<see cref="EventFdEdgeWaiter"/>: one system call per wakeup).
/// Notifiers kick only when they raised the upcall and saw <c>blocked</c>, so a busy receiver costs
/// its peers no system calls. Both sides use full fences (interlocked writes) between writing their own
/// word and reading the other's, so a wakeup cannot be lost.
/// </summary>
public sealed class EventChannelReceiver : IDisposable
{
    private readonly AdaptiveSpin _spin = new(TimeSpan.FromMicroseconds(50));
    private readonly EventFdEdgeWaiter _sleeper;
    private volatile bool _interrupted;
    private long _sleeps;

    public EventChannelPage Page { get; }

    /// <summary>The eventfd notifiers kick; a duplicate of it travels to each of them.</summary>
    public EventFd Kick { get; }

    /// <summary>
    /// The longest <see cref="Wait"/> spins before it blocks; it adapts below that (<see cref="AdaptiveSpin"/>),
    /// spinning less while spins keep failing, e.g. when the notifier runs on the same CPU.
    /// </summary>
    public TimeSpan Spin
    {
        get => _spin.Max;
        set => _spin.Max = value;
    }

    /// <summary>How many times <see cref="Wait"/> went to sleep in the kernel.</summary>
    public long Sleeps => Interlocked.Read(ref _sleeps);

    /// <summary>Takes ownership of <paramref name="page"/> and <paramref name="kick"/>.</summary>
    public EventChannelReceiver(EventChannelPage page, EventFd kick)
    {
        Page = page;
        Kick = kick;
        _sleeper = new EventFdEdgeWaiter(kick);
    }

    public static EventChannelReceiver Create(string name) => new(EventChannelPage.Create(name), EventFd.Create());

    /// <summary>
    /// A receiver from fds a peer sent (e.g. a page the supervisor created). Takes ownership of both fds:
    /// on failure both are closed.
    /// </summary>
    public static EventChannelReceiver Open(int pageFd, int kickFd)
    {
        SharedMemory? memory = null;
        try
        {
            memory = SharedMemory.Map(pageFd, EventChannelPage.Size);
            var kick = EventFd.Adopt(kickFd);
            return new EventChannelReceiver(new EventChannelPage(memory), kick);
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

    /// <summary>A notifier for one of this receiver's ports, over a second mapping and eventfd (e.g. for another thread).</summary>
    public EventChannelNotifier NotifierFor(int port) => new(new EventChannelPage(Page.Memory.Duplicate()), Kick.Duplicate(), port);

    public void Mask(int port) => Page.SetMask(port);

    /// <summary>Unmasks; a port that became pending while masked is delivered now (Xen re-raises it).</summary>
    public void Unmask(int port)
    {
        if (Page.ClearMask(port))
            KickIfBlocked();
    }

    /// <summary>Raises a local port, e.g. to hand an event to this process's own wait loop.</summary>
    public void Raise(int port)
    {
        if (Page.SetPending(port))
            KickIfBlocked();
    }

    /// <summary>
    /// Waits until ports are pending and unmasked, up to <paramref name="timeoutMs"/> (-1: forever, 0: just look),
    /// and returns how many were taken into <paramref name="ports"/> (their pending bits cleared). Returns 0 on
    /// timeout or after <see cref="Interrupt"/>.
    /// </summary>
    public int Wait(Span<int> ports, int timeoutMs = -1)
    {
        int n = Page.TakePending(ports);
        if (n > 0 || timeoutMs == 0)
            return n;

        long start = Stopwatch.GetTimestamp();
        long spinUntil = _spin.Deadline();
        if (spinUntil != 0)
        {
            // A pure busy-wait, not SpinWait's yields: yielding to a peer on our own CPU "succeeds" but costs
            // more than blocking, and would teach the adaptive spin the wrong lesson.
            while (Stopwatch.GetTimestamp() < spinUntil && !_interrupted)
            {
                if (Page.UpcallPending && (n = Page.TakePending(ports)) > 0)
                {
                    _spin.Report(succeeded: true);
                    return n;
                }
                Thread.SpinWait(8);
            }
            _spin.Report(succeeded: false);
        }

        while (true)
        {
            if (_interrupted)
            {
                _interrupted = false;
                return 0;
            }
            int left = timeoutMs < 0 ? -1 : Math.Max(0, timeoutMs - (int)Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            Interlocked.Exchange(ref Page.Blocked, 1);
            if (!Page.UpcallPending && left != 0 && !_interrupted)
            {
                Interlocked.Increment(ref _sleeps);
                _sleeper.Wait(left);
            }
            Interlocked.Exchange(ref Page.Blocked, 0);
            if ((n = Page.TakePending(ports)) > 0)
                return n;
            if (left == 0)
                return 0;
        }
    }

    /// <summary>Makes the current or next <see cref="Wait"/> return 0 (e.g. to stop a service loop).</summary>
    public void Interrupt()
    {
        _interrupted = true;
        Kick.Signal();
    }

    private void KickIfBlocked()
    {
        if (Volatile.Read(ref Page.Blocked) != 0)
            Kick.Signal();
    }

    public void Dispose()
    {
        _sleeper.Dispose();
        Page.Dispose();
        Kick.Dispose();
    }
}
