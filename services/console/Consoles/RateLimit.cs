namespace Micro.Console.Consoles;

/// <summary>
/// xenconsoled's per-domain rate limit: at most <see cref="Allowance"/> bytes per <see cref="PeriodMs"/>.
/// Once a period's allowance is spent the daemon stops reading that domain's rings until the next period,
/// so the ring fills and the guest waits (it is never told anything else). Allowance 0 means unlimited.
/// Time is passed in by the caller (milliseconds on any monotonic clock), so the rule is testable without waiting.
/// </summary>
public sealed class RateLimit(int allowance, int periodMs)
{
    /// <summary>xenconsoled's RATE_LIMIT_ALLOWANCE and RATE_LIMIT_PERIOD.</summary>
    public const int DefaultAllowance = 30_000, DefaultPeriodMs = 200;

    private long _periodStart = long.MinValue;
    private int _used;

    public int Allowance { get; } = allowance;
    public int PeriodMs { get; } = periodMs > 0 ? periodMs : throw new ArgumentOutOfRangeException(nameof(periodMs), "the period must be positive");

    /// <summary>How many periods ran out of allowance so far.</summary>
    public long Throttled { get; private set; }

    /// <summary>When the current period ends (meaningful once <see cref="Available"/> returned 0).</summary>
    public long PeriodEndsAt => _periodStart + PeriodMs;

    /// <summary>Bytes that may still be read in the period containing <paramref name="nowMs"/>.</summary>
    public int Available(long nowMs)
    {
        if (Allowance <= 0)
            return int.MaxValue;
        if (_periodStart == long.MinValue || nowMs - _periodStart >= PeriodMs)
        {
            _periodStart = nowMs;
            _used = 0;
        }
        return Allowance - _used;
    }

    public void Consume(int bytes)
    {
        if (Allowance <= 0)
            return;
        _used += bytes;
        if (_used >= Allowance)
            Throttled++;
    }
}
