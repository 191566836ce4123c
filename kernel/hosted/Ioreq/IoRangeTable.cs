namespace Micro.Kernel.Ioreq;

/// <summary>Which ioreq server claims which inclusive port range of one domain. Ranges never overlap.</summary>
public sealed class IoRangeTable
{
    private readonly record struct Range(ulong Start, ulong End, IoreqServer Server);

    private volatile Range[] _ranges = [];
    private readonly object _lock = new();

    /// <summary>Claims [start, end] for <paramref name="server"/>; false when it is empty or overlaps a claimed range.</summary>
    public bool TryAdd(ulong start, ulong end, IoreqServer server)
    {
        if (end < start)
            return false;
        lock (_lock)
        {
            foreach (var r in _ranges)
            {
                if (start <= r.End && r.Start <= end)
                    return false;
            }
            _ranges = [.. _ranges, new Range(start, end, server)];
            return true;
        }
    }

    /// <summary>Drops every range of <paramref name="server"/>.</summary>
    public void Remove(IoreqServer server)
    {
        lock (_lock)
            _ranges = Array.FindAll(_ranges, r => r.Server != server);
    }

    public bool TryFind(ulong addr, out IoreqServer server)
    {
        foreach (var r in _ranges) // a copy-on-write array: lock-free on the exit path
        {
            if (addr >= r.Start && addr <= r.End)
            {
                server = r.Server;
                return true;
            }
        }
        server = null!;
        return false;
    }
}
