namespace Micro.RingPeer;

/// <summary>
/// usage: micro-ringpeer produce|consume PATH REGION_BYTES COUNT verified:MAXLEN|raw:LEN|frames:0
/// Opens the record ring in the memfd at PATH (/proc/PID/fd/N of the process that made it), runs one
/// side until record COUNT, and prints one "SIDE done: ..." line. Exit 3 when the ring or a record
/// is wrong, 2 on bad arguments.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length != 5 || args[0] is not ("produce" or "consume") || !long.TryParse(args[2], out long length)
            || !uint.TryParse(args[3], out uint count) || !TryParseWorkload(args[4], out var workload, out int maxLength))
        {
            Console.Error.WriteLine("usage: micro-ringpeer produce|consume PATH REGION_BYTES COUNT verified:MAXLEN|raw:LEN|frames:0");
            return 2;
        }
        try
        {
            using var shared = SharedRing.Open(args[1], length);
            Console.WriteLine("ready");
            RingStats stats = (workload, args[0]) switch
            {
                (RingWorkload.Frames, "produce") => FrameLoops.Produce(shared, count),
                (RingWorkload.Frames, _) => FrameLoops.Consume(shared, count),
                (_, "produce") => RingProducerLoop.Run(shared, new VerifiedRecords(maxLength, workload == RingWorkload.Raw), workload, count),
                _ => RingConsumerLoop.Run(shared, new VerifiedRecords(maxLength, workload == RingWorkload.Raw), workload, count),
            };
            Console.WriteLine(stats);
            return 0;
        }
        catch (InvalidDataException e)
        {
            Console.Error.WriteLine($"ringpeer: {e.Message}");
            return 3;
        }
    }

    public static bool TryParseWorkload(string text, out RingWorkload workload, out int maxLength)
    {
        workload = RingWorkload.Verified;
        maxLength = 0;
        string[] parts = text.Split(':');
        if (parts.Length == 2 && parts[0] == "frames")
        {
            workload = RingWorkload.Frames;
            return true;
        }
        if (parts.Length != 2 || !int.TryParse(parts[1], out maxLength) || maxLength < VerifiedRecords.MinLength || maxLength > 65536)
            return false;
        switch (parts[0])
        {
            case "verified":
                return true;
            case "raw":
                workload = RingWorkload.Raw;
                return true;
            default:
                return false;
        }
    }
}
