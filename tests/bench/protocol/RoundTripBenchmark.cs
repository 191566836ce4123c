using System.Diagnostics;
using System.Globalization;
using Micro.Protocol.EventChannels;
using Micro.Protocol.Hosting;
using Micro.Protocol.Messages;
using Micro.Protocol.Os;
using Micro.Protocol.Rings;

namespace Micro.Bench.Protocol;

/// <summary>
/// `roundtrip`: a framed request/response (HealthPing → HealthPong, MessagePack frames on two record rings,
/// one event channel each way) between this process and a service process started through
/// <see cref="ServiceSupervisor"/>, against a raw eventfd ping-pong between the same two processes in the
/// same run; with both pinned to one CPU and to two. Then a one-way stream, to count how many event-channel
/// notifications (and eventfd kicks) the rings' suppression lets through per million messages.
/// </summary>
internal static unsafe class RoundTripBenchmark
{
    private const double Goal = 1.5;
    private const uint RingBytes = 64 * 1024;
    private const uint RecordLimit = 4096;

    public static int Run(string[] args)
    {
        if (args.Length >= 2 && args[0] == "peer")
            return RoundTripPeer.Run(int.Parse(args[1], CultureInfo.InvariantCulture), RoundTripOptions.Parse(args.AsSpan(2)));
        var options = RoundTripOptions.Parse(args);
        var placements = new List<(string Name, int Self, int Peer, RoundTripOptions Options)> { ("same CPU (0, 0)", 0, 0, options) };
        if (Environment.ProcessorCount >= 2)
        {
            placements.Add(("two CPUs (0, 1)", 0, 1, options));
            // Without spinning both sides block on every message, as the raw baseline does: the framing's own cost.
            placements.Add(("two CPUs, no spin", 0, 1, options with { SpinMicroseconds = 0, RingSpinMicroseconds = 0 }));
        }

        Console.WriteLine($"roundtrip: framed HealthPing/HealthPong over two record rings with event channels, between two processes,");
        Console.WriteLine($"against a raw eventfd ping-pong (blocking read/write) between the same two processes in the same run.");
        Console.WriteLine($"{options.Blocks} blocks of {options.BlockRounds} round trips each way, raw and framed blocks alternating, after {options.Warmup} warm-up;");
        Console.WriteLine($"times are medians over blocks, ratio is the median of per-block ratios; event-channel spin {options.SpinMicroseconds} µs, ring spin {options.RingSpinMicroseconds} µs; goal: ratio <= {Goal}");
        Console.WriteLine();
        Console.WriteLine($"{"placement",-20} {"raw eventfd",12} {"framed+evtchn",14} {"ratio",7} {"goal",6} {"notifies/rt",12} {"kicks/rt",9}");
        var streams = new List<string>();
        bool allMet = true;
        foreach (var (name, self, peer, placementOptions) in placements)
        {
            var r = Measure(placementOptions, self, peer);
            bool met = r.Ratio <= Goal;
            allMet &= met;
            Console.WriteLine($"{name,-20} {r.Raw,9:F2} µs {r.Framed,11:F2} µs {r.Ratio,6:F2}x {(met ? "met" : "MISSED"),6} {r.NotifiesPerRoundTrip,12:F3} {r.KicksPerRoundTrip,9:F3}");
            streams.Add($"{name,-20} {r.StreamNotifiesPerMillion,14:F0} (producer {r.StreamProducerNotifies}, consumer {r.StreamConsumerNotifies}) {r.StreamKicksPerMillion,14:F0} {r.StreamMessagesPerSecond / 1e6,10:F2} M msg/s");
        }
        Console.WriteLine();
        Console.WriteLine($"streaming {options.Stream} framed messages one way (notifications per million messages; one per message would be 1000000):");
        Console.WriteLine($"{"placement",-20} {"evtchn notifies",14} {"",32} {"eventfd kicks",14} {"throughput",10}");
        foreach (string line in streams)
            Console.WriteLine(line);
        Console.WriteLine();
        Console.WriteLine(allMet ? $"goal met: framed round trip <= {Goal}x raw eventfd in every placement" : $"goal MISSED in at least one placement (see ratio column)");
        return 0;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        int n = values.Count;
        return n % 2 == 1 ? values[n / 2] : (values[(n / 2) - 1] + values[n / 2]) / 2;
    }

    private sealed record Result(double Raw, double Framed, double Ratio, double NotifiesPerRoundTrip, double KicksPerRoundTrip,
        double StreamNotifiesPerMillion, long StreamProducerNotifies, long StreamConsumerNotifies, double StreamKicksPerMillion, double StreamMessagesPerSecond);

    private static Result Measure(RoundTripOptions options, int selfCpu, int peerCpu)
    {
        using var supervisor = new ServiceSupervisor();
        using var requests = SharedMemory.Create("requests", RecordRing.RegionSize(RingBytes));
        using var responses = SharedMemory.Create("responses", RecordRing.RegionSize(RingBytes));
        var requestRing = RecordRing.Format(requests.Pointer, requests.Length, RingBytes, RecordLimit);
        var responseRing = RecordRing.Format(responses.Pointer, responses.Length, RingBytes, RecordLimit);
        using var mine = EventChannelReceiver.Create("bench-evtchn");
        mine.Spin = TimeSpan.FromMicroseconds(options.SpinMicroseconds);
        using var peerPage = EventChannelPage.Create("peer-evtchn");
        using var peerKick = EventFd.Create();
        using var toPeer = new EventChannelNotifier(new EventChannelPage(peerPage.Memory.Duplicate()), peerKick.Duplicate(), 1);
        using var ping = EventFd.Create();
        using var pong = EventFd.Create();

        using var service = supervisor.Start(Self(["roundtrip", "peer", peerCpu.ToString(CultureInfo.InvariantCulture), .. options.ToArgs()]));
        service.GiveMemory("requests", requests);
        service.GiveMemory("responses", responses);
        service.GiveReceiver("events", peerPage, peerKick);
        service.GiveNotifier("reply", mine.Page, mine.Kick, 1);
        service.GiveEventFd("ping", ping);
        service.GiveEventFd("pong", pong);
        service.Ready();
        CpuAffinity.PinCurrentThread(selfCpu);
        RoundTripRawEventFd.MakeBlocking(pong.Fd);
        var endpoint = new RoundTripEndpoint(requestRing, responseRing, mine, toPeer) { RingSpin = TimeSpan.FromMicroseconds(options.RingSpinMicroseconds) };
        var rawBlocks = new List<double>();
        var framedBlocks = new List<double>();
        int total = 0;
        for (int block = 0; block <= options.Blocks; block++)
        {
            int rounds = block == 0 ? options.Warmup : options.BlockRounds;
            total += rounds;

            // Baseline: raw eventfd ping-pong.
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < rounds; i++)
            {
                RoundTripRawEventFd.Signal(ping.Fd);
                RoundTripRawEventFd.Wait(pong.Fd);
            }
            double raw = Stopwatch.GetElapsedTime(start).TotalMicroseconds / Math.Max(1, rounds);

            // Framed request/response over the rings, woken by event channels.
            start = Stopwatch.GetTimestamp();
            for (int i = 0; i < rounds; i++)
            {
                endpoint.Send(new HealthPing((ulong)i), (ulong)i);
                var response = endpoint.Receive();
                if (response.Message is not HealthPong { Nonce: var nonce } || nonce != (ulong)i || response.RequestId != (ulong)i)
                    throw new InvalidDataException($"round trip {i}: got {response.Message} for request {response.RequestId}");
            }
            double framed = Stopwatch.GetElapsedTime(start).TotalMicroseconds / Math.Max(1, rounds);
            if (block > 0)
            {
                rawBlocks.Add(raw);
                framedBlocks.Add(framed);
            }
        }
        long framedSends = toPeer.Sends, framedKicks = toPeer.Kicks;

        // Streaming one way; the peer acknowledges the end.
        long streamStart = Stopwatch.GetTimestamp();
        var message = new HealthPing(0);
        for (int i = 0; i < options.Stream; i++)
            endpoint.Send(message, (ulong)i);
        if (endpoint.Receive().Message is not HealthPong { Nonce: var count } || count != (ulong)options.Stream)
            throw new InvalidDataException("the peer did not acknowledge the whole stream");
        double seconds = Stopwatch.GetElapsedTime(streamStart).TotalSeconds;

        string health = service.Ping(30_000) ?? throw new IOException("the peer did not answer its health ping");
        long[] peer = health.Split(' ').Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        if (service.Terminate(30_000) != 0)
            throw new IOException("the peer did not stop cleanly");

        long producerNotifies = toPeer.Sends - framedSends, consumerNotifies = peer[2];
        double perMillion = 1e6 / options.Stream;
        return new Result(
            Median(rawBlocks),
            Median(framedBlocks),
            Median(rawBlocks.Zip(framedBlocks, (r, f) => f / r).ToList()),
            (framedSends + peer[0]) / (double)total,
            (framedKicks + peer[1]) / (double)total,
            (producerNotifies + consumerNotifies) * perMillion,
            producerNotifies,
            consumerNotifies,
            (toPeer.Kicks - framedKicks + peer[3]) * perMillion,
            options.Stream / seconds);
    }

    /// <summary>This program again (as `dotnet x.dll` or as a native executable), with <paramref name="args"/>.</summary>
    private static ProcessStartInfo Self(string[] args)
    {
        string host = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
        var psi = new ProcessStartInfo(host);
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
            psi.ArgumentList.Add(Environment.GetCommandLineArgs()[0]);
        foreach (string a in args)
            psi.ArgumentList.Add(a);
        return psi;
    }
}
