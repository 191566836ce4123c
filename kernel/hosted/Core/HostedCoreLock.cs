namespace Micro.Kernel.Core;

/// <summary>The portable core's one lock, as a monitor: vCPU threads and service channels enter the core through it.</summary>
public sealed class HostedCoreLock : Micro.Core.CoreLock
{
    private readonly object _gate = new();

    public override void Enter() => Monitor.Enter(_gate);

    public override void Exit() => Monitor.Exit(_gate);
}
