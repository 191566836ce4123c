namespace Micro.Core;

/// <summary>For callers that already run the core on one CPU at a time (bare metal, single-threaded tests).</summary>
public sealed class NoCoreLock : CoreLock
{
    public override void Enter()
    {
    }

    public override void Exit()
    {
    }
}
