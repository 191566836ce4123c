using Micro.RingPeer;

namespace Micro.Bench.Protocol;

/// <summary>
/// The default of <c>./micro</c>: this process produces a million variable-size, sequence-numbered,
/// checksummed records into a memfd ring; a second process consumes and checks every byte.
/// </summary>
internal static class RingDemo
{
    public static int Run(string[] args)
    {
        uint count = args.Length > 0 && uint.TryParse(args[0], out uint n) ? n : 1_000_000;
        const int maxLength = 512;
        const uint dataSize = 256 * 1024;
        using var ring = SharedRing.Create("ring-demo", dataSize, maxLength);
        Console.WriteLine($"ring demo: this process (pid {Environment.ProcessId}) produces, a second process consumes,");
        Console.WriteLine($"           over one {dataSize / 1024} KiB memfd record ring with Xen-style event indices");
        using var consumer = PeerProcess.RingPeer("consume", ring, count, $"verified:{maxLength}");
        consumer.WaitReady(TimeSpan.FromSeconds(30));
        var produced = RingProducerLoop.Run(ring, new VerifiedRecords(maxLength), RingWorkload.Verified, count);
        var consumed = consumer.Finish("consumer", TimeSpan.FromSeconds(120));
        if (consumed.Messages != count || consumed.LastSeq != count || consumed.Bytes != produced.Bytes)
        {
            Console.Error.WriteLine($"ring demo: FAILED: produced {produced}, consumed {consumed}");
            return 1;
        }
        double seconds = consumed.ElapsedNs / 1e9;
        ulong notifications = produced.Notifies + consumed.Notifies;
        Console.WriteLine($"  messages       {count:N0} ({VerifiedRecords.MinLength}..{maxLength} bytes each)");
        Console.WriteLine($"  bytes          {consumed.Bytes:N0}");
        Console.WriteLine($"  wraps          {consumed.Bytes / dataSize:N0} times around the ring");
        Console.WriteLine($"  rate           {count / seconds / 1e6:F2} M messages/s, {consumed.Bytes / seconds / 1e6:F0} MB/s ({seconds:F2} s)");
        Console.WriteLine($"  notifications  {produced.Notifies:N0} to the consumer, {consumed.Notifies:N0} to the producer " +
                          $"({notifications * 1e6 / count:F0} per million messages; without suppression: 1,000,000)");
        Console.WriteLine($"  sleeps         consumer {consumed.Sleeps:N0}, producer {produced.Sleeps:N0}");
        Console.WriteLine("  verified: every byte (sequence numbers, lengths, checksums and content of every record)");
        return 0;
    }
}
