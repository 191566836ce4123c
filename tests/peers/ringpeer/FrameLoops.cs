using Micro.Protocol.Framing;
using Micro.Protocol.Messages;
using Micro.Protocol.Rings;

namespace Micro.RingPeer;

/// <summary>
/// Framed MessagePack messages across the ring (the internal protocol end to end): message
/// <c>seq</c> is derived from <c>seq</c>, cycling through several contracts, with request id <c>seq</c>.
/// </summary>
public static unsafe class FrameLoops
{
    public static Message Sample(ulong seq) => (seq % 4) switch
    {
        0 => new HealthPing(seq),
        1 => new LogLine(LogLevel.Info, $"line {seq} from the producer"),
        2 => new SetHvmParam((ushort)(seq % 0x7FF0), (uint)(seq % 40), seq * 3),
        _ => new EvtchnSend((uint)seq),
    };

    public static RingStats Produce(SharedRing shared, uint count)
    {
        var producer = shared.Ring.Producer(out var error) ?? throw new InvalidDataException("producer: " + error.Describe());
        var writer = new FrameWriter(producer);
        ulong notifies = 0;
        var idle = new IdleWait();
        for (ulong seq = 1; seq <= count;)
        {
            Message message = Sample(seq);
            RingResult r = writer.TryWrite(message, seq);
            if (r.IsOk)
            {
                if (r.Notify)
                {
                    Futex.Wake(shared.ProducerIndex);
                    notifies++;
                }
                seq++;
                idle.Reset();
                continue;
            }
            if (r.IsFault)
                throw new InvalidDataException("producer: " + r.Describe());
            idle.Idle(producer, Frame.MaxFrameSize, shared);
        }
        return new RingStats("producer", count, producer.Index, notifies, idle.Sleeps, 0, count);
    }

    public static RingStats Consume(SharedRing shared, uint count)
    {
        var consumer = shared.Ring.Consumer(out var error) ?? throw new InvalidDataException("consumer: " + error.Describe());
        var reader = new FrameReader(consumer);
        ulong notifies = 0;
        var idle = new IdleWait();
        for (ulong seq = 1; seq <= count;)
        {
            FrameResult r = reader.TryRead(out Envelope envelope);
            if (r.NotifyPeer)
            {
                Futex.Wake(shared.ConsumerIndex);
                notifies++;
            }
            if (r.Error == FrameError.WouldBlock)
            {
                idle.Idle(consumer, shared);
                continue;
            }
            if (!r.IsOk)
                throw new InvalidDataException($"consumer: frame {seq}: {r}");
            if (envelope.RequestId != seq || envelope.Message != Sample(seq))
                throw new InvalidDataException($"consumer: expected request {seq} {Sample(seq)}, got request {envelope.RequestId} {envelope.Message}");
            seq++;
            idle.Reset();
        }
        return new RingStats("consumer", count, consumer.Index, notifies, idle.Sleeps, 0, count);
    }
}
