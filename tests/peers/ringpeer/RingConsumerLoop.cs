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
    public static RingStats Run(SharedRing shared, VerifiedRecords records, RingWorkload workload, uint count)
    {
        var consumer = shared.Ring.Consumer(out var error) ?? throw new InvalidDataException("consumer: " + error.Describe());
        var buffer = new byte[shared.Ring.RecordLimit];
        ulong messages = 0, bytes = 0, notifies = 0;
        long started = 0; // the clock starts at the first record, so process start-up is not measured
        var idle = new IdleWait();
        while (consumer.Tag < count)
        {
            RingResult next = consumer.Peek();
            if (next.Error == RingError.WouldBlock)
            {
                idle.Idle(consumer, shared);
                continue;
            }
            if (!next.IsOk)
                throw new InvalidDataException("consumer: " + next.Describe());
            idle.Reset();
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
        return new RingStats("consumer", messages, bytes, notifies, idle.Sleeps, started == 0 ? 0 : (long)Stopwatch.GetElapsedTime(started).TotalNanoseconds, consumer.Tag);
    }
}
