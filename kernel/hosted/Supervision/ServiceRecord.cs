namespace Micro.Kernel.Supervision;

/// <summary>What the core knows about one supervised service: its current pid, restarts and how it last ended.</summary>
public sealed class ServiceRecord(ServiceSpec spec)
{
    private readonly object _lock = new();
    private int _pid;
    private int _restarts;
    private int _starts;
    private string _lastExit = "";

    public ServiceSpec Spec { get; } = spec;
    public string Name => Spec.Name;

    /// <summary>The running instance's pid; 0 while it is down.</summary>
    public int Pid { get { lock (_lock) return _pid; } }
    public int Restarts { get { lock (_lock) return _restarts; } }
    /// <summary>How many instances connected and were handed their capabilities.</summary>
    public int Starts { get { lock (_lock) return _starts; } }
    public string LastExit { get { lock (_lock) return _lastExit; } }

    /// <summary>The connected instance's channel, for notifications; null while none is connected.</summary>
    internal ServiceChannel? Channel { get; set; }

    internal void Started(int pid)
    {
        lock (_lock)
            _pid = pid;
    }

    internal void Connected()
    {
        lock (_lock)
            _starts++;
    }

    internal void Exited(string reason, bool restarting)
    {
        lock (_lock)
        {
            _pid = 0;
            _lastExit = reason;
            if (restarting)
                _restarts++;
        }
    }

    public override string ToString() => $"{Name}: pid {Pid}, restarts {Restarts}, last exit '{LastExit}'";
}
