using System.Buffers.Binary;
using System.Diagnostics;
using Micro.Protocol.Rings;

namespace Micro.RingPeer;

/// <summary>
/// Reads and checks records until record <c>count</c> is consumed. The last completed sequence
/// number is stored with the consumer index in one write, so a consumer started after a kill
/// expects exactly the record that follows it: a lost or repeated record fails the run.
/// </summary>
public static unsafe class RingConsumerLoop
{
    private const int SpinsBeforeSleep = 200;

    public static RingStats Run(SharedRing shared, VerifiedRecords records, RingWorkload workload, uint count)
    {
        var consumer = shared.Ring.Consumer(out var error) ?? throw new InvalidDataException("consumer: " + error.Describe());
        var buffer = new byte[shared.Ring.RecordLimit];
        ulong messages = 0, bytes = 0, notifies = 0, sleeps = 0;
        long started = 0; // the clock starts at the first record, so process start-up is not measured
        int idle = 0;
        while (consumer.Tag < count)
        {
            RingResult next = consumer.Peek();
            if (next.Error == RingError.WouldBlock)
            {
                if (++idle < SpinsBeforeSleep)
                {
                    Thread.SpinWait(10);
                    continue;
                }
                if (consumer.PrepareToSleep())
                {
                    Futex.Wait(shared.ProducerIndex, consumer.Index, 20);
                    sleeps++;
                }
                idle = 0;
                continue;
            }
            if (!next.IsOk)
                throw new InvalidDataException("consumer: " + next.Describe());
            idle = 0;
            var record = buffer.AsSpan(0, next.Count);
            consumer.CopyPeeked(0, record);
            uint seq = consumer.Tag + 1;
            string? wrong = workload == RingWorkload.Verified
                ? records.Verify(seq, record)
                : record.Length == records.MaxLength && BinaryPrimitives.ReadUInt64LittleEndian(record) == seq ? null : $"raw record {seq} wrong";
            if (wrong is not null)
                throw new InvalidDataException("consumer: " + wrong);
            if (consumer.Advance(seq).Notify)
            {
                Futex.Wake(shared.ConsumerIndex);
                notifies++;
            }
            if (messages++ == 0)
                started = Stopwatch.GetTimestamp();
            bytes += (ulong)record.Length;
        }
        return new RingStats("consumer", messages, bytes, notifies, sleeps, started == 0 ? 0 : (long)Stopwatch.GetElapsedTime(started).TotalNanoseconds, consumer.Tag);
    }
}
