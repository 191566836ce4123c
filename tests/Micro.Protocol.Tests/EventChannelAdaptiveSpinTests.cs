using Micro.Protocol.EventChannels;

namespace Micro.Protocol.Tests;

public class EventChannelAdaptiveSpinTests
{
    [Fact]
    public void FailuresHalveTheBudgetDownToNothingAndASuccessRestoresIt()
    {
        var spin = new AdaptiveSpin(TimeSpan.FromMicroseconds(64));
        Assert.Equal(TimeSpan.FromMicroseconds(64), spin.Budget);
        spin.Report(succeeded: false);
        Assert.Equal(TimeSpan.FromMicroseconds(32), spin.Budget);
        for (int i = 0; i < 64; i++)
            spin.Report(succeeded: false);
        Assert.Equal(TimeSpan.Zero, spin.Budget);
        Assert.Equal(0, spin.Deadline());
        spin.Report(succeeded: true);
        Assert.Equal(TimeSpan.FromMicroseconds(64), spin.Budget);
    }

    [Fact]
    public void EveryProbeIntervalThWaitSpinsInFullEvenWithNoBudget()
    {
        var spin = new AdaptiveSpin(TimeSpan.FromMicroseconds(64));
        for (int i = 0; i < 64; i++)
            spin.Report(succeeded: false);
        int spinning = 0;
        for (int i = 0; i < AdaptiveSpin.ProbeInterval * 3; i++)
        {
            if (spin.Deadline() != 0)
                spinning++;
        }
        Assert.Equal(3, spinning);
    }

    [Fact]
    public void AReceiverWithNoSpinGoesStraightToSleep()
    {
        using var receiver = EventChannelReceiver.Create("nospin");
        receiver.Spin = TimeSpan.FromMinutes(10); // were the zero below ignored, the wait would spin, not sleep
        receiver.Spin = TimeSpan.Zero;
        bool slept = false;
        var interrupter = new Thread(() =>
        {
            // Never throws (that would end the test host); interrupts even if the receiver never sleeps.
            slept = EventChannelTests.Eventually(() => receiver.Sleeps >= 1);
            receiver.Interrupt();
        });
        interrupter.Start();
        Span<int> ports = stackalloc int[2];
        Assert.Equal(0, receiver.Wait(ports, -1));
        Assert.True(interrupter.Join(TimeSpan.FromSeconds(90)));
        Assert.True(slept, "the receiver spun instead of sleeping");
        Assert.Equal(1, receiver.Sleeps);
    }
}
