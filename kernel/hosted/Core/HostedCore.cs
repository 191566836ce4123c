using Micro.Core;
using Micro.Kernel.Domains;

namespace Micro.Kernel.Core;

/// <summary>The portable core (<see cref="Hypervisor"/>) wired to the hosted substrate's lock, log and pages.</summary>
public sealed class HostedCore : IDisposable
{
    public KernelLog Log { get; }
    public HostedPageAllocator Pages { get; } = new();
    public Hypervisor Hypervisor { get; }

    public HostedCore(KernelLog log, int maxDomains = 256)
    {
        Log = log;
        Hypervisor = new Hypervisor(new CoreLogSink(log), new HostedCoreLock(), Pages, maxDomains);
    }

    /// <summary>
    /// A domain shut down (its SHUTDOWN_* reason) or was destroyed. Raised under the core lock: handlers
    /// only queue work (for example a notification to a watching service), never block.
    /// </summary>
    public event Action<int, Micro.Protocol.Messages.DomainDeathReason>? DomainDied;

    internal void RaiseDomainDied(int domid, Micro.Protocol.Messages.DomainDeathReason reason) => DomainDied?.Invoke(domid, reason);

    public void Dispose() => Pages.Dispose();
}
