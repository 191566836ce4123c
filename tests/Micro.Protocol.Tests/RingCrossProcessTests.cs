using Micro.Protocol.Rings;
using Micro.RingPeer;
using Micro.Testing;

namespace Micro.Protocol.Tests;

/// <summary>Two real processes on one memfd ring: every byte checked, then both sides killed and resumed.</summary>
public unsafe class RingCrossProcessTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public void MillionsOfVariableSizeMessagesArriveIntactAcrossProcesses()
    {
        const uint count = 2_000_000;
        const int maxLength = 300;
        using var ring = SharedRing.Create("ring-test", 64 * 1024, maxLength);
        using var consumer = RingPeerProcess.Start("consume", ring, count, $"verified:{maxLength}");
        using var producer = RingPeerProcess.Start("produce", ring, count, $"verified:{maxLength}");
        var produced = RingPeerProcess.Finish(producer, "producer", Timeout);
        var consumed = RingPeerProcess.Finish(consumer, "consumer", Timeout);

        Assert.Equal(count, produced.Messages);
        Assert.Equal(count, consumed.Messages);
        Assert.Equal(produced.Bytes, consumed.Bytes);
        Assert.Equal(count, consumed.LastSeq);
        Assert.True(consumed.Bytes > 1000ul * 64 * 1024, "the ring should wrap at least a thousand times");
        // Suppression: far fewer wake-ups than messages in either direction.
        Assert.True(produced.Notifies + consumed.Notifies < count / 10, $"{produced.Notifies} + {consumed.Notifies} notifications for {count} messages");
        var fresh = ring.Ring.Consumer(out _)!;
        Assert.Equal(count, fresh.Tag);
        Assert.Equal(RingError.WouldBlock, fresh.Peek().Error);
    }

    [Fact]
    public void FramedMessagesCrossProcessesFieldForField()
    {
        const uint count = 300_000;
        using var ring = SharedRing.Create("ring-frames-test", 16 * 1024, 1024);
        using var consumer = RingPeerProcess.Start("consume", ring, count, "frames:0");
        using var producer = RingPeerProcess.Start("produce", ring, count, "frames:0");
        RingPeerProcess.Finish(producer, "producer", Timeout);
        var consumed = RingPeerProcess.Finish(consumer, "consumer", Timeout);
        Assert.Equal(count, consumed.Messages);
        Assert.True(consumed.Bytes > 100 * 16 * 1024, "the frames should wrap the ring many times");
    }

    [Fact]
    public void KilledProducersAndConsumersResumeWithNothingLostOrDuplicated()
    {
        const uint count = 400_000;
        const string workload = "verified:200";
        using var ring = SharedRing.Create("ring-kill-test", 16 * 1024, 200);
        var rng = new Random(20261124);
        ChildProcess? producer = null, consumer = null;
        int kills = 0;
        uint lastCompleted = 0;
        try
        {
            const int rounds = 12;
            for (int round = 0; round < rounds; round++)
            {
                producer ??= RingPeerProcess.Start("produce", ring, count, workload);
                consumer ??= RingPeerProcess.Start("consume", ring, count, workload);
                // Kill points are random positions in the stream (not times, which depend on machine load).
                uint target = (uint)((round + rng.NextDouble()) * count / (rounds + 2));
                WaitForProgress(ring, target, consumer, producer);
                int victim = rng.Next(3); // 0 producer, 1 consumer, 2 both
                if (victim != 1 && KillIfRunning(ref producer))
                    kills++;
                if (victim != 0 && KillIfRunning(ref consumer))
                    kills++;
                // What the consumers completed only ever grows; a killed consumer loses nothing it completed.
                uint completed = ring.Ring.Consumer(out var e)?.Tag ?? throw new InvalidOperationException(e.Describe());
                Assert.True(completed >= lastCompleted, $"completed went back from {lastCompleted} to {completed}");
                lastCompleted = completed;
                AssertNotFailed(producer, "producer");
                AssertNotFailed(consumer, "consumer");
            }
            producer ??= RingPeerProcess.Start("produce", ring, count, workload);
            consumer ??= RingPeerProcess.Start("consume", ring, count, workload);
            RingPeerProcess.Finish(producer, "producer", Timeout);
            var last = RingPeerProcess.Finish(consumer, "consumer", Timeout);
            Assert.Equal(count, last.LastSeq);
        }
        finally
        {
            producer?.Dispose();
            consumer?.Dispose();
        }
        Assert.True(kills >= 8, $"only {kills} kills landed; the test should interrupt the run many times");
        var fresh = ring.Ring.Consumer(out _)!;
        var freshProducer = ring.Ring.Producer(out _)!;
        Assert.Equal(count, fresh.Tag);
        Assert.Equal(count, freshProducer.Tag);
        Assert.Equal(freshProducer.Index, fresh.Index);
    }

    [Fact]
    public void AConsumerProcessRejectsAScribbledProducerIndex()
    {
        using var ring = SharedRing.Create("ring-hostile-test", 64 * 1024, 256);
        using var consumer = RingPeerProcess.Start("consume", ring, 10, "verified:256");
        consumer.WaitForOutput("ready", Timeout);
        Volatile.Write(ref *ring.ProducerIndex, 0x0100_0000); // far past anything the ring can hold
        int exit = consumer.WaitForExit(Timeout);
        Assert.Equal(3, exit);
        Assert.Contains("more than the ring", consumer.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void AConsumerProcessRejectsACorruptedRecord()
    {
        using var ring = SharedRing.Create("ring-corrupt-test", 64 * 1024, 256);
        var producer = ring.Ring.Producer(out _)!;
        var records = new VerifiedRecords(256);
        var buffer = new byte[256];
        for (uint seq = 1; seq <= 3; seq++)
            Assert.True(producer.TryWrite(buffer.AsSpan(0, records.Fill(seq, buffer)), seq).IsOk);
        ring.Memory.Pointer[RecordRing.HeaderSize + 4 + 8 + 3] ^= 0xFF; // flip a byte inside record 1's length field area
        using var consumer = RingPeerProcess.Start("consume", ring, 3, "verified:256");
        Assert.Equal(3, consumer.WaitForExit(Timeout));
        Assert.Contains("record 1", consumer.Stderr, StringComparison.Ordinal);
        Assert.Equal(0u, ring.Ring.Consumer(out _)!.Tag); // the bad record was not consumed
    }

    private static void WaitForProgress(SharedRing ring, uint target, ChildProcess consumer, ChildProcess producer)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (Volatile.Read(ref *(uint*)(ring.Memory.Pointer + RecordRing.ConsumerTagOffset)) < target)
        {
            AssertNotFailed(consumer, "consumer");
            AssertNotFailed(producer, "producer");
            Assert.True(DateTime.UtcNow < deadline, $"no progress to record {target}");
            Thread.Sleep(1);
        }
    }

    private static bool KillIfRunning(ref ChildProcess? process)
    {
        if (process is null)
            return false;
        bool wasRunning = !process.HasExited;
        process.Signal(9);
        process.WaitForExit(Timeout);
        process.Dispose();
        process = null;
        return wasRunning;
    }

    private static void AssertNotFailed(ChildProcess? process, string side)
    {
        if (process is { HasExited: true })
            Assert.True(process.WaitForExit(Timeout) == 0, $"{side} failed:\n{process.Stderr}");
    }
}
