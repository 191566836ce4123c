using Micro.Protocol.Os;

namespace Micro.Protocol.Tests;

/// <summary>The receiver's one-system-call sleep on an eventfd (edge-triggered epoll).</summary>
public class EventFdEdgeWaiterTests
{
    [Fact]
    public void ASignalBeforeTheWaitIsNotLostAndEachSignalIsOneWakeup()
    {
        using var evt = EventFd.Create();
        using var waiter = new EventFdEdgeWaiter(evt);
        evt.Signal();
        Assert.True(waiter.Wait(60_000));
        // That edge is used up; the unread count shows once more when a sleep finds no edge (a spurious
        // wakeup, which callers tolerate), and then the counter is empty.
        Assert.True(waiter.Wait(0));
        Assert.False(waiter.Wait(0));
        evt.Signal();
        Assert.True(waiter.Wait(60_000));
    }

    [Fact]
    public void AWaitWithNoSignalTimesOut()
    {
        using var evt = EventFd.Create();
        using var waiter = new EventFdEdgeWaiter(evt);
        Assert.False(waiter.Wait(0));
        Assert.False(waiter.Wait(2 * EventFdEdgeWaiter.MaxSleepMs + 10)); // made of several sleeps
    }

    [Fact]
    public void ASignalFromAnotherThreadWakesASleeper()
    {
        using var evt = EventFd.Create();
        using var waiter = new EventFdEdgeWaiter(evt);
        using var dup = evt.Duplicate();
        var signaller = new Thread(() =>
        {
            Thread.Sleep(20);
            dup.Signal();
        });
        signaller.Start();
        bool woke = waiter.Wait(-1);
        Assert.True(signaller.Join(TimeSpan.FromSeconds(60)));
        Assert.True(woke);
    }

    [Fact]
    public unsafe void ACounterFilledByAHostilePeerDelaysAWakeupButNeverLosesIt()
    {
        using var evt = EventFd.Create();
        using var waiter = new EventFdEdgeWaiter(evt);
        Assert.False(waiter.Wait(0));
        // The largest value an eventfd holds: every further write fails with EAGAIN and makes no edge.
        ulong max = ulong.MaxValue - 1;
        Assert.Equal(8, LibC.Write(evt.Fd, &max, 8));
        Assert.True(waiter.Wait(0)); // the hostile write itself was an edge
        evt.Signal(); // EAGAIN: no edge
        Assert.True(waiter.Wait(60_000)); // found by the drain after one empty sleep
        Assert.Equal(0UL, evt.TryConsume());
        evt.Signal();
        Assert.True(waiter.Wait(60_000)); // edges work again after the drain
    }

    [Fact]
    public void DisposingTheWaiterLeavesTheEventFdToItsOwner()
    {
        using var evt = EventFd.Create();
        var waiter = new EventFdEdgeWaiter(evt);
        waiter.Dispose();
        waiter.Dispose();
        Assert.Throws<ObjectDisposedException>(() => waiter.Wait(0));
        evt.Signal();
        Assert.Equal(1UL, evt.TryConsume());
    }
}
