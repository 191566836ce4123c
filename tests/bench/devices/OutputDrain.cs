using Micro.Kernel.Ioreq;
using Micro.Protocol.Os;

namespace Micro.Bench.Devices;

/// <summary>Plays the console service: a thread that drains a device model's output ring until stopped.</summary>
internal sealed class OutputDrain : IDisposable
{
    private readonly Thread _thread;
    private volatile bool _stop;
    private long _received;

    public long Received => Interlocked.Read(ref _received);

    public OutputDrain(SharedMemory output)
    {
        var ring = DeviceOutputRing.View(output);
        _thread = new Thread(() =>
        {
            var buffer = new byte[4096];
            while (!_stop)
            {
                var r = ring.Read(buffer);
                if (!r.IsOk)
                    throw new InvalidOperationException($"output ring: {r}");
                Interlocked.Add(ref _received, r.Count);
                if (r.Count == 0)
                    Thread.Sleep(1);
            }
            Interlocked.Add(ref _received, ring.Read(buffer).Count);
        }) { IsBackground = true };
        _thread.Start();
    }

    public long Stop()
    {
        _stop = true;
        _thread.Join();
        return Received;
    }

    public void Dispose() => Stop();
}
