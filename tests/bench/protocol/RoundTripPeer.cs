using System.Globalization;
using Micro.Protocol.EventChannels;
using Micro.Protocol.Hosting;
using Micro.Protocol.Messages;
using Micro.Protocol.Rings;

namespace Micro.Bench.Protocol;

/// <summary>
/// The far side of the round-trip benchmark, a service process under <see cref="ServiceHost"/>: it answers
/// the raw eventfd ping-pong, then every framed HealthPing with a HealthPong, then swallows a one-way
/// stream and acknowledges its end. Its notification counts are reported through its health text.
/// </summary>
internal static unsafe class RoundTripPeer
{
    public static int Run(int cpu, RoundTripOptions options)
    {
        using var host = ServiceHost.Start("roundtrip-peer");
        using var requests = host.Capability("requests").MapMemory();
        using var responses = host.Capability("responses").MapMemory();
        using var events = host.Capability("events").OpenReceiver();
        using var reply = host.Capability("reply").OpenNotifier();
        using var ping = host.Capability("ping").OpenEventFd();
        using var pong = host.Capability("pong").OpenEventFd();
        events.Spin = TimeSpan.FromMicroseconds(options.SpinMicroseconds);
        var requestRing = RecordRing.Attach(requests.Pointer, requests.Length, out var e1) ?? throw new InvalidDataException($"request ring: {e1}");
        var responseRing = RecordRing.Attach(responses.Pointer, responses.Length, out var e2) ?? throw new InvalidDataException($"response ring: {e2}");

        return host.Run(stopping =>
        {
            Micro.Protocol.Os.CpuAffinity.PinCurrentThread(cpu);
            RoundTripRawEventFd.MakeBlocking(ping.Fd);
            var endpoint = new RoundTripEndpoint(responseRing, requestRing, events, reply) { RingSpin = TimeSpan.FromMicroseconds(options.RingSpinMicroseconds) };
            // The same schedule as the benchmark side: a warm-up block, then measured blocks, raw and framed alternating.
            for (int block = 0; block <= options.Blocks; block++)
            {
                int rounds = block == 0 ? options.Warmup : options.BlockRounds;
                for (int i = 0; i < rounds; i++)
                {
                    RoundTripRawEventFd.Wait(ping.Fd);
                    RoundTripRawEventFd.Signal(pong.Fd);
                }
                for (int i = 0; i < rounds; i++)
                {
                    var request = endpoint.Receive();
                    var nonce = request.Message is HealthPing p ? p.Nonce : throw new InvalidDataException($"expected HealthPing, got {request.Type}");
                    endpoint.Send(new HealthPong(nonce), request.RequestId);
                }
            }
            long framedSends = reply.Sends, framedKicks = reply.Kicks;

            for (int i = 0; i < options.Stream; i++)
                endpoint.Receive();
            host.Health = string.Join(' ', new[] { framedSends, framedKicks, reply.Sends - framedSends, reply.Kicks - framedKicks }.Select(v => v.ToString(CultureInfo.InvariantCulture)));
            endpoint.Send(new HealthPong((ulong)options.Stream), 0);

            stopping.WaitHandle.WaitOne();
        });
    }
}
