using Micro.Protocol.Os;

namespace Micro.Protocol.Tests;

public class EventFdTests
{
    [Fact]
    public void SignalsAddUpAndAReadResetsTheCounter()
    {
        using var evt = EventFd.Create();
        Assert.Equal(0UL, evt.TryConsume());
        evt.Signal();
        evt.Signal();
        Assert.Equal(2UL, evt.TryConsume());
        Assert.Equal(0UL, evt.TryConsume());
    }

    [Fact]
    public void WaitTimesOutWithZeroAndWakesOnASignalFromAnotherThread()
    {
        using var evt = EventFd.Create();
        Assert.Equal(0UL, evt.Wait(5));
        var t = new Thread(() => evt.Signal());
        t.Start();
        Assert.Equal(1UL, evt.Wait(30_000));
        t.Join();
    }

    [Fact]
    public void ADuplicateSharesTheCounter()
    {
        using var evt = EventFd.Create();
        using var dup = evt.Duplicate();
        Assert.NotEqual(evt.Fd, dup.Fd);
        dup.Signal();
        Assert.Equal(1UL, evt.TryConsume());
    }

    [Fact]
    public void AdoptRefusesSomethingThatIsNotAnEventfd()
    {
        using var shm = SharedMemory.Create("not-an-eventfd", 4096);
        var e = Assert.Throws<IOException>(() => EventFd.Adopt(shm.Fd));
        Assert.StartsWith($"fd {shm.Fd} is not an eventfd (it is /memfd:not-an-eventfd", e.Message);
        using var evt = EventFd.Create();
        using var adopted = EventFd.Adopt(LibC.Dup(evt.Fd));
        adopted.Signal();
        Assert.Equal(1UL, evt.TryConsume());
    }
}
