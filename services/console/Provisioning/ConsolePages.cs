using Micro.Console.Consoles;
using Micro.Protocol.Os;
using Micro.Protocol.Xen;

namespace Micro.Console.Provisioning;

/// <summary>
/// The seam through which console pages reach the daemon. In the hosted build they come as capabilities
/// (from the supervisor at start, or later over the provisioning socket), named as <see cref="CapabilityName"/>
/// says; once a source's page, kick and notify have all arrived it is complete and can be served. When the
/// core maps grant refs for services, a page found through xenstore's ring-ref will enter here instead.
/// </summary>
public sealed class ConsolePages : IDisposable
{
    private readonly Dictionary<(SourceKind, int), Parts> _parts = [];

    private sealed class Parts
    {
        public SharedMemory? Page;
        public EventFd? Kick, Notify;
        public bool Complete => Page is not null && Kick is not null && Notify is not null;
    }

    /// <summary>Takes ownership of <paramref name="memory"/>; a duplicate name replaces (and closes) the earlier one.</summary>
    public void AddPage(CapabilityName name, SharedMemory memory)
    {
        if (name.Role != CapabilityRole.Page)
        {
            memory.Dispose();
            throw new ArgumentException($"{name} is not a page but was sent as memory", nameof(name));
        }
        if (memory.Length < XenConsInterface.SizeOf)
        {
            long length = memory.Length;
            memory.Dispose();
            throw new ArgumentException($"{name} has {length} bytes, a console page needs {XenConsInterface.SizeOf}", nameof(memory));
        }
        var parts = PartsOf(name);
        parts.Page?.Dispose();
        parts.Page = memory;
    }

    /// <summary>Takes ownership of <paramref name="eventFd"/>.</summary>
    public void AddEventFd(CapabilityName name, EventFd eventFd)
    {
        var parts = PartsOf(name);
        if (name.Role == CapabilityRole.Kick)
        {
            parts.Kick?.Dispose();
            parts.Kick = eventFd;
        }
        else if (name.Role == CapabilityRole.Notify)
        {
            parts.Notify?.Dispose();
            parts.Notify = eventFd;
        }
        else
        {
            eventFd.Dispose();
            throw new ArgumentException($"{name} is a page but was sent as an eventfd", nameof(name));
        }
    }

    private Parts PartsOf(CapabilityName name)
    {
        if (!_parts.TryGetValue((name.Kind, name.Domid), out var parts))
            _parts[(name.Kind, name.Domid)] = parts = new Parts();
        return parts;
    }

    /// <summary>Domids that have at least one complete source waiting.</summary>
    public IEnumerable<int> CompleteDomains => _parts.Where(p => p.Value.Complete).Select(p => p.Key.Item2).Distinct().ToArray();

    /// <summary>Takes the complete sources of <paramref name="domid"/> out (the caller owns them).</summary>
    public List<ConsoleSource> Take(int domid)
    {
        var sources = new List<ConsoleSource>();
        foreach (var kind in new[] { SourceKind.Console, SourceKind.Uart })
        {
            if (_parts.TryGetValue((kind, domid), out var p) && p.Complete)
            {
                _parts.Remove((kind, domid));
                sources.Add(new ConsoleSource(kind, p.Page!, p.Kick!, p.Notify!));
            }
        }
        return sources;
    }

    /// <summary>Closes whatever is held for <paramref name="domid"/> (the domain is gone).</summary>
    public void Forget(int domid)
    {
        foreach (var kind in new[] { SourceKind.Console, SourceKind.Uart })
        {
            if (_parts.Remove((kind, domid), out var p))
                Close(p);
        }
    }

    private static void Close(Parts p)
    {
        p.Page?.Dispose();
        p.Kick?.Dispose();
        p.Notify?.Dispose();
    }

    public void Dispose()
    {
        foreach (var p in _parts.Values)
            Close(p);
        _parts.Clear();
    }
}
