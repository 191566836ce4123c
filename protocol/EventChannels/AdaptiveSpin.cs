using System.Diagnostics;

namespace Micro.Protocol.EventChannels;

/// <summary>
/// How long to spin before blocking, learned from how recent spins ended. Spinning pays only when the peer
/// runs on another CPU: then the answer often comes within microseconds, while waking an idle vCPU costs
/// 30–100 µs. When the peer shares our CPU, spinning only delays it, and every spin fails. So a spin that
/// succeeds restores the full budget, a spin that fails halves it (down to none), and every
/// <see cref="ProbeInterval"/>th wait spins in full again, to notice when the peers have moved apart.
/// One instance per waiting thread.
/// </summary>
public sealed class AdaptiveSpin
{
    public const int ProbeInterval = 1024;

    private long _maxTicks;
    private long _budgetTicks;
    private int _waits;

    public AdaptiveSpin(TimeSpan max) => Max = max;

    /// <summary>The longest spin; also the budget after a success.</summary>
    public TimeSpan Max
    {
        get => Stopwatch.GetElapsedTime(0, _maxTicks);
        set => _budgetTicks = _maxTicks = (long)(value.TotalSeconds * Stopwatch.Frequency);
    }

    /// <summary>What the next ordinary (non-probe) wait may spin.</summary>
    public TimeSpan Budget => Stopwatch.GetElapsedTime(0, _budgetTicks);

    /// <summary>The timestamp (Stopwatch ticks) until which this wait may spin; 0 when it must not spin at all.</summary>
    public long Deadline()
    {
        long budget = ++_waits % ProbeInterval == 0 ? _maxTicks : _budgetTicks;
        return budget == 0 ? 0 : Stopwatch.GetTimestamp() + budget;
    }

    /// <summary>Reports how the spin ended: with the awaited event (true) or by running out (false).</summary>
    public void Report(bool succeeded) => _budgetTicks = succeeded ? _maxTicks : _budgetTicks / 2;
}
