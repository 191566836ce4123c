using System.Buffers.Binary;
using System.Diagnostics;
using Micro.Protocol.Rings;

namespace Micro.RingPeer;

/// <summary>
/// Writes records <c>tag+1 .. count</c> (resuming after the last sequence number stored with the
/// producer index), sleeping on the consumer index when the ring is full.
/// </summary>
public static unsafe class RingProducerLoop
{
    public static RingStats Run(SharedRing shared, VerifiedRecords records, RingWorkload workload, uint count)
    {
        var producer = shared.Ring.Producer(out var error) ?? throw new InvalidDataException("producer: " + error.Describe());
        var buffer = new byte[records.MaxLength];
        if (workload == RingWorkload.Raw)
            records.Fill(1, buffer);
        ulong messages = 0, bytes = 0, notifies = 0;
        uint seq = producer.Tag + 1;
        int length = 0;
        bool filled = false;
        long started = 0; // the clock starts at the first record, so process start-up is not measured
        var idle = new IdleWait();
        while (seq <= count)
        {
            if (!filled)
            {
                if (workload == RingWorkload.Raw)
                {
                    BinaryPrimitives.WriteUInt64LittleEndian(buffer, seq);
                    length = records.MaxLength;
                }
                else
                {
                    length = records.Fill(seq, buffer);
                }
                filled = true;
            }
            RingResult r = producer.TryWrite(buffer.AsSpan(0, length), seq);
            if (r.IsOk)
            {
                if (r.Notify)
                {
                    Futex.Wake(shared.ProducerIndex);
                    notifies++;
                }
                if (messages++ == 0)
                    started = Stopwatch.GetTimestamp();
                bytes += (ulong)length;
                seq++;
                filled = false;
                idle.Reset();
                continue;
            }
            if (r.IsFault)
                throw new InvalidDataException("producer: " + r.Describe());
            idle.Idle(producer, length, shared);
        }
        return new RingStats("producer", messages, bytes, notifies, idle.Sleeps, started == 0 ? 0 : (long)Stopwatch.GetElapsedTime(started).TotalNanoseconds, producer.Tag);
    }
}
