using Micro.Protocol.EventChannels;

namespace Micro.Protocol.Tests;

/// <summary>Xen's 2-level event-channel rules on the shared page, and the hosted wait/kick.</summary>
public class EventChannelTests
{
    [Fact]
    public void SendingRaisesTheUpcallOnceAndWaitTakesThePortAndClearsIt()
    {
        using var page = EventChannelPage.Create("evtchn");
        Assert.True(page.SetPending(5));
        Assert.False(page.SetPending(5)); // already pending
        Assert.False(page.SetPending(6)); // upcall already raised
        Assert.True(page.UpcallPending);
        Span<int> ports = stackalloc int[8];
        Assert.Equal(2, page.TakePending(ports));
        Assert.Equal([5, 6], ports[..2].ToArray());
        Assert.False(page.IsPending(5));
        Assert.False(page.UpcallPending);
        Assert.Equal(0, page.TakePending(ports));
    }

    [Fact]
    public void AMaskedPortStaysPendingWithoutAnUpcallAndUnmaskReRaisesIt()
    {
        using var page = EventChannelPage.Create("evtchn");
        page.SetMask(9);
        Assert.False(page.SetPending(9));
        Assert.True(page.IsPending(9));
        Assert.False(page.UpcallPending);
        Span<int> ports = stackalloc int[8];
        Assert.Equal(0, page.TakePending(ports));
        Assert.True(page.IsPending(9));

        Assert.True(page.ClearMask(9));
        Assert.True(page.UpcallPending);
        Assert.Equal(1, page.TakePending(ports));
        Assert.Equal(9, ports[0]);
        Assert.False(page.ClearMask(9)); // neither masked nor pending now
    }

    [Fact]
    public void MaskingAfterTheUpcallKeepsThePortPendingForLater()
    {
        using var page = EventChannelPage.Create("evtchn");
        Assert.True(page.SetPending(70));
        page.SetMask(70);
        Span<int> ports = stackalloc int[8];
        Assert.Equal(0, page.TakePending(ports));
        Assert.True(page.IsPending(70));
        Assert.True(page.ClearMask(70));
        Assert.Equal(1, page.TakePending(ports));
        Assert.Equal(70, ports[0]);
    }

    [Fact]
    public void PortsComeInOrderAcrossWordsAndWhatDoesNotFitStaysRaised()
    {
        using var page = EventChannelPage.Create("evtchn");
        int[] sent = [4095, 1, 64, 63, 200, 130];
        foreach (int p in sent)
            page.SetPending(p);
        Span<int> two = stackalloc int[2];
        Assert.Equal(2, page.TakePending(two));
        Assert.Equal([1, 63], two.ToArray());
        Assert.True(page.UpcallPending);
        Span<int> rest = stackalloc int[16];
        Assert.Equal(4, page.TakePending(rest));
        Assert.Equal([64, 130, 200, 4095], rest[..4].ToArray());
        Assert.False(page.UpcallPending);
    }

    [Fact]
    public void ClearPendingDropsAnEvent()
    {
        using var page = EventChannelPage.Create("evtchn");
        page.SetPending(3);
        page.ClearPending(3);
        Span<int> ports = stackalloc int[4];
        Assert.Equal(0, page.TakePending(ports));
    }

    [Fact]
    public void PortsOutsideTheTableAreRefused()
    {
        using var page = EventChannelPage.Create("evtchn");
        Assert.Throws<ArgumentOutOfRangeException>(() => page.SetPending(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => page.SetPending(4096));
        Assert.Throws<ArgumentOutOfRangeException>(() => page.SetMask(-1));
        using var receiver = EventChannelReceiver.Create("evtchn");
        Assert.Throws<ArgumentOutOfRangeException>(() => receiver.NotifierFor(0));
    }

    [Fact]
    public unsafe void AGarbagePageYieldsOnlyValidPortsAndNeverMoreThanAsked()
    {
        using var page = EventChannelPage.Create("evtchn");
        new Random(7).NextBytes(page.Memory.Span);
        *(uint*)(page.Memory.Pointer + 1032) = 1; // upcall raised
        *(ulong*)(page.Memory.Pointer + 1024) = ulong.MaxValue; // every selector bit
        Span<int> ports = stackalloc int[100];
        int n = page.TakePending(ports);
        Assert.Equal(100, n);
        foreach (int p in ports)
            Assert.InRange(p, 1, EventChannelPage.PortCount - 1);
    }

    [Fact]
    public void ANotifierDoesNotKickAReceiverThatIsAwake()
    {
        using var receiver = EventChannelReceiver.Create("evtchn");
        using var notifier = receiver.NotifierFor(2);
        notifier.Notify();
        notifier.Notify();
        Assert.Equal(2, notifier.Sends);
        Assert.Equal(0, notifier.Kicks);
        Span<int> ports = stackalloc int[4];
        Assert.Equal(1, receiver.Wait(ports, 0));
        Assert.Equal(2, ports[0]);
    }

    [Fact]
    public void ABlockedReceiverIsKickedAndWakes()
    {
        using var receiver = EventChannelReceiver.Create("evtchn");
        receiver.Spin = TimeSpan.Zero;
        using var notifier = receiver.NotifierFor(11);
        int got = 0;
        var waiter = new Thread(() =>
        {
            Span<int> ports = stackalloc int[4];
            if (receiver.Wait(ports, 60_000) == 1)
                got = ports[0];
        });
        waiter.Start();
        bool slept = Eventually(() => receiver.Sleeps >= 1);
        notifier.Notify();
        Assert.True(waiter.Join(TimeSpan.FromSeconds(90)));
        Assert.True(slept, "the receiver never went to sleep");
        Assert.Equal(11, got);
        Assert.Equal(1, notifier.Kicks);
    }

    [Fact]
    public void UnmaskWakesABlockedReceiverForAPortThatBecamePendingWhileMasked()
    {
        using var receiver = EventChannelReceiver.Create("evtchn");
        receiver.Spin = TimeSpan.Zero;
        using var notifier = receiver.NotifierFor(12);
        receiver.Mask(12);
        notifier.Notify();
        int got = 0;
        var waiter = new Thread(() =>
        {
            Span<int> ports = stackalloc int[4];
            if (receiver.Wait(ports, 60_000) == 1)
                got = ports[0];
        });
        waiter.Start();
        bool slept = Eventually(() => receiver.Sleeps >= 1);
        int beforeUnmask = Volatile.Read(ref got);
        receiver.Unmask(12);
        Assert.True(waiter.Join(TimeSpan.FromSeconds(90)));
        Assert.True(slept, "the receiver never went to sleep");
        Assert.Equal(0, beforeUnmask);
        Assert.Equal(12, got);
    }

    [Fact]
    public void WaitTimesOutAndInterruptEndsAWait()
    {
        using var receiver = EventChannelReceiver.Create("evtchn");
        Span<int> ports = stackalloc int[4];
        Assert.Equal(0, receiver.Wait(ports, 5));

        // Whether that wait slept depends on the machine's load, so compare against the count read now.
        long before = receiver.Sleeps;
        bool slept = false;
        var interrupter = new Thread(() =>
        {
            // No assertion here: an exception on this thread would end the test host. Interrupt regardless,
            // so the wait below ends even if the receiver never slept; the test thread checks `slept`.
            slept = Eventually(() => receiver.Sleeps > before);
            receiver.Interrupt();
        });
        interrupter.Start();
        Assert.Equal(0, receiver.Wait(ports, -1));
        Assert.True(interrupter.Join(TimeSpan.FromSeconds(90)));
        Assert.True(slept, "the receiver never went to sleep before the interrupt");
    }

    [Fact]
    public void ManyNotificationsFromAnotherThreadAreNeverLost()
    {
        // Ping-pong: each side waits for the other's event before sending, so a lost wakeup would hang (and time out).
        using var a = EventChannelReceiver.Create("a");
        using var b = EventChannelReceiver.Create("b");
        a.Spin = b.Spin = TimeSpan.FromMicroseconds(2);
        using var toA = a.NotifierFor(1);
        using var toB = b.NotifierFor(1);
        const int rounds = 20_000;
        int bSaw = 0;
        var peer = new Thread(() =>
        {
            Span<int> ports = stackalloc int[4];
            for (int i = 0; i < rounds; i++)
            {
                if (b.Wait(ports, 60_000) == 0)
                    return;
                bSaw++;
                toA.Notify();
            }
        });
        peer.Start();
        Span<int> mine = stackalloc int[4];
        int answered = 0;
        for (; answered < rounds; answered++)
        {
            toB.Notify();
            if (a.Wait(mine, 60_000) != 1 || mine[0] != 1)
                break;
        }
        b.Interrupt(); // ends the peer's wait early if this side gave up; the peer must be gone before `b` is disposed
        Assert.True(peer.Join(TimeSpan.FromSeconds(90)));
        Assert.Equal(rounds, answered);
        Assert.Equal(rounds, bSaw);
    }

    /// <summary>Polls <paramref name="condition"/> for up to a minute; safe on any thread (it never throws).</summary>
    internal static bool Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                return false;
            Thread.Sleep(1);
        }
        return true;
    }
}
