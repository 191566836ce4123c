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

    public void Dispose() => Pages.Dispose();
}
