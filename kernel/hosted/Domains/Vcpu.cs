using Micro.Kernel.Kvm;

namespace Micro.Kernel.Domains;

/// <summary>
/// One guest vCPU and the thread that runs it: KVM_RUN in a loop, each exit handed to the domain's
/// exit dispatcher. A blocked vCPU (HLT, SCHEDOP_block/poll, waiting for an ioreq) sleeps here until
/// it is kicked.
/// </summary>
public sealed class Vcpu : IDisposable
{
    private readonly object _lock = new();
    private Thread? _thread;
    private bool _kicked;
    private bool _blockRequested;
    private ulong _blockTimeoutNs;
    private nuint _pthread;

    public HostedDomain Domain { get; }
    public KvmVcpu Kvm { get; }
    public int Id => Kvm.Id;

    /// <summary>Exits handled by this vCPU (for tests and the benchmark).</summary>
    public long Exits { get; private set; }

    /// <summary>Time spent inside KVM_RUN, i.e. running the guest.</summary>
    public TimeSpan CpuTime => System.Diagnostics.Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _runTicks));
    private long _runTicks;

    internal Vcpu(HostedDomain domain, KvmVcpu kvm)
    {
        Domain = domain;
        Kvm = kvm;
    }

    internal void Start()
    {
        _thread = new Thread(Loop) { IsBackground = true, Name = $"d{Domain.DomId}v{Id}" };
        _thread.Start();
    }

    private void Loop()
    {
        Volatile.Write(ref _pthread, VcpuKick.PthreadSelf());
        try
        {
            while (!Domain.IsShutDown)
            {
                Domain.Upcalls.BeforeRun(this);
                long entered = System.Diagnostics.Stopwatch.GetTimestamp();
                uint reason = Kvm.Run();
                Interlocked.Add(ref _runTicks, System.Diagnostics.Stopwatch.GetTimestamp() - entered);
                Exits++;
                if (reason == KvmExitReason.INTR)
                    Volatile.Write(ref Kvm.RunState.ImmediateExit, 0);
                else
                    Domain.Exits.Handle(this, reason);
                BlockIfRequested();
            }
        }
        catch (Exception e)
        {
            // A fault in the core's handling of one domain ends that domain, never the core.
            Domain.Log.Write($"d{Domain.DomId}v{Id}: vCPU loop failed: {e.Message}");
            Domain.Crash("vCPU loop failed");
        }
        finally
        {
            Volatile.Write(ref _pthread, 0);
        }
    }

    /// <summary>Sleeps until kicked or the domain shuts down; <paramref name="ready"/> is checked under the lock first.</summary>
    public void Block(Func<bool> ready, TimeSpan? timeout = null)
    {
        var deadline = timeout is null ? DateTime.MaxValue : DateTime.UtcNow + timeout.Value;
        lock (_lock)
        {
            while (!_kicked && !ready() && !Domain.IsShutDown)
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero)
                    break;
                Monitor.Wait(_lock, left > TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : left);
            }
            _kicked = false;
        }
    }

    /// <summary>
    /// The core decided (SCHEDOP_block/poll, under its lock, on this vCPU's thread) that this vCPU
    /// sleeps once its hypercall returns, until a kick or the timeout (0: none, else system time in ns).
    /// Kicks from before the decision are stale and forgotten.
    /// </summary>
    internal void RequestBlock(ulong timeoutNs)
    {
        lock (_lock)
        {
            _kicked = false;
            _blockRequested = true;
            _blockTimeoutNs = timeoutNs;
        }
    }

    private void BlockIfRequested()
    {
        TimeSpan? timeout;
        lock (_lock)
        {
            if (!_blockRequested)
                return;
            _blockRequested = false;
            timeout = _blockTimeoutNs == 0 ? null : TimeSpan.FromTicks((long)Math.Min(_blockTimeoutNs / 100, (ulong)TimeSpan.FromDays(1).Ticks));
        }
        Block(() => false, timeout);
    }

    /// <summary>Wakes the vCPU if it is blocked; the wake is remembered if it is not.</summary>
    public void Kick()
    {
        lock (_lock)
        {
            _kicked = true;
            Monitor.PulseAll(_lock);
        }
    }

    /// <summary>
    /// Makes the vCPU leave the guest soon (to notice a shutdown or take an upcall): set state first,
    /// then call this. Safe whether the thread is in KVM_RUN, about to enter it, or blocked.
    /// </summary>
    public void Interrupt()
    {
        Kick();
        Volatile.Write(ref Kvm.RunState.ImmediateExit, 1);
        nuint thread = Volatile.Read(ref _pthread);
        if (thread != 0)
            VcpuKick.Send(thread);
    }

    internal bool Join(TimeSpan timeout) => _thread is null || _thread.Join(timeout);

    public void Dispose() => Kvm.Dispose();
}
