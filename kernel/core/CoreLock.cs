namespace Micro.Core;

/// <summary>
/// The one lock that serializes every entry into the core (hypercalls and service requests). The
/// substrate supplies it because the portable core cannot use Monitor.
/// </summary>
public abstract class CoreLock
{
    public abstract void Enter();

    public abstract void Exit();
}
