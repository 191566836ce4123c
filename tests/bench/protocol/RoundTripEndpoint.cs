using System.Diagnostics;
using Micro.Protocol.EventChannels;
using Micro.Protocol.Framing;
using Micro.Protocol.Messages;
using Micro.Protocol.Rings;

namespace Micro.Bench.Protocol;

/// <summary>
/// One side of a framed connection as a service loop drives it: frames out on one record ring, frames in
/// on the other, one event channel each way. An empty ring is polled for a while (adaptively, up to
/// <see cref="RingSpin"/>) before the side arms the ring's wake-up index and waits on its event channel
/// (which spins, then blocks). A full ring is waited on until a quarter of it is free again, not just one
/// record, so that a slower consumer wakes the producer once per batch rather than once per record.
/// </summary>
internal sealed unsafe class RoundTripEndpoint
{
    private readonly RecordProducer _producer;
    private readonly RecordConsumer _consumer;
    private readonly FrameReader _reader;
    private readonly FrameCodec _codec = new();
    private readonly EventChannelReceiver _events;
    private readonly EventChannelNotifier _peer;
    private readonly int[] _ports = new int[8];
    private readonly AdaptiveSpin _ringSpin = new(TimeSpan.Zero);
    private readonly int _refill;

    public TimeSpan RingSpin
    {
        get => _ringSpin.Max;
        set => _ringSpin.Max = value;
    }

    public EventChannelNotifier Peer => _peer;

    public RoundTripEndpoint(RecordRing outgoing, RecordRing incoming, EventChannelReceiver events, EventChannelNotifier peer)
    {
        _producer = outgoing.Producer(out var e1) ?? throw new InvalidDataException($"outgoing ring: {e1}");
        _consumer = incoming.Consumer(out var e2) ?? throw new InvalidDataException($"incoming ring: {e2}");
        _reader = new FrameReader(_consumer);
        _refill = (int)Math.Min(outgoing.RecordLimit, outgoing.Data.Size / 4);
        _events = events;
        _peer = peer;
    }

    public void Send(Message message, ulong requestId)
    {
        var frame = _codec.Encode(message, requestId).Span;
        while (true)
        {
            var r = _producer.TryWrite(frame);
            if (r.IsOk)
            {
                if (r.Notify)
                    _peer.Notify();
                return;
            }
            if (r.Error != RingError.WouldBlock)
                throw new InvalidDataException($"request ring: {r}");
            if (_producer.PrepareToWait(Math.Max(frame.Length, _refill)))
                WaitForEvent();
        }
    }

    public Envelope Receive()
    {
        long spinUntil = -1; // not yet spinning
        while (true)
        {
            var r = _reader.TryRead(out var envelope);
            if (r.IsOk)
            {
                if (spinUntil > 0)
                    _ringSpin.Report(succeeded: true);
                if (r.NotifyPeer)
                    _peer.Notify();
                return envelope;
            }
            if (r.Error != FrameError.WouldBlock)
                throw new InvalidDataException($"incoming ring: {r}");
            if (spinUntil < 0)
                spinUntil = _ringSpin.Deadline();
            if (spinUntil > 0 && Stopwatch.GetTimestamp() < spinUntil)
            {
                Thread.SpinWait(8);
                continue;
            }
            if (spinUntil > 0)
                _ringSpin.Report(succeeded: false);
            spinUntil = 0;
            if (_consumer.PrepareToSleep())
                WaitForEvent();
        }
    }

    private void WaitForEvent()
    {
        if (_events.Wait(_ports, 30_000) == 0)
            throw new TimeoutException("no event from the peer within 30 s");
    }
}
