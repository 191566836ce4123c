using Micro.Protocol.Rings;

namespace Micro.RingPeer;

/// <summary>
/// What a side does when the ring has nothing for it: spin briefly, then arm its event index (so the
/// peer's next index move notifies) and, if the ring is still idle, sleep on the peer's index word.
/// </summary>
public unsafe struct IdleWait
{
    private const int SpinsBeforeSleep = 200;
    private const int SleepTimeoutMs = 20; // a lost or killed peer never hangs us
    private int _idle;

    public ulong Sleeps { get; private set; }

    public void Reset() => _idle = 0;

    /// <summary>The consumer found the ring empty.</summary>
    public void Idle(RecordConsumer consumer, SharedRing shared)
    {
        if (Spin())
            return;
        if (consumer.PrepareToSleep())
            Sleep(shared.ProducerIndex, consumer.Index);
    }

    /// <summary>The producer found no room for a record of <paramref name="length"/> bytes.</summary>
    public void Idle(RecordProducer producer, int length, SharedRing shared)
    {
        if (Spin())
            return;
        if (producer.PrepareToWait(length))
            Sleep(shared.ConsumerIndex, producer.SeenConsumerIndex);
    }

    private bool Spin()
    {
        if (++_idle < SpinsBeforeSleep)
        {
            Thread.SpinWait(10);
            return true;
        }
        _idle = 0;
        return false;
    }

    private void Sleep(uint* word, uint expected)
    {
        Futex.Wait(word, expected, SleepTimeoutMs);
        Sleeps++;
    }
}
