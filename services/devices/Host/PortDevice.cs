namespace Micro.Devices.Host;

/// <summary>
/// A device whose whole state is one unmanaged <typeparamref name="T"/> in a <see cref="StateJournal{T}"/>:
/// each access is one journal step, so the device survives SIGKILL at any point. Subclasses change
/// only the scratch state they are given; effects outside it (console bytes, disk writes) must be
/// repeatable, because a step cut short by a crash runs again; <see cref="Committed"/> publishes them.
/// </summary>
public abstract class PortDevice<T> : DeviceModel where T : unmanaged
{
    private StateJournal<T>? _journal;
    private DeviceContext? _context;

    protected StateJournal<T> Journal => _journal ?? throw new InvalidOperationException($"{Name} is not attached");
    protected DeviceContext Context => _context ?? throw new InvalidOperationException($"{Name} is not attached");

    /// <summary>The committed state (for tests and diagnostics).</summary>
    public ref readonly T State => ref Journal.Current;

    public override void Attach(DeviceContext context)
    {
        _context = context;
        _journal = new StateJournal<T>(context.State, 0, context.StateLimit);
        OnAttach(context);
        if (_journal.IsFresh)
        {
            PowerOn(ref _journal.Begin());
            _journal.Commit();
        }
        Committed(in _journal.Current); // a predecessor may have died between a commit and its publication
    }

    protected virtual void OnAttach(DeviceContext context)
    {
    }

    /// <summary>The state at power-on (the journal starts zeroed).</summary>
    protected abstract void PowerOn(ref T state);

    protected abstract ulong Read(ref T state, IoAccess access);

    /// <summary>Applies a write; may set <paramref name="shutdown"/> to a Xen SHUTDOWN_* reason.</summary>
    protected abstract void Write(ref T state, IoAccess access, ref int shutdown);

    /// <summary>After each commit: publish what the committed state says is done (idempotent).</summary>
    protected virtual void Committed(in T state)
    {
    }

    public sealed override ulong Access(int vcpu, ulong sequence, IoAccess access, out int shutdown)
    {
        var journal = Journal;
        if (journal.Answered(vcpu, sequence))
        {
            shutdown = journal.Last.Shutdown;
            return journal.Last.Response;
        }
        shutdown = -1;
        ref T scratch = ref journal.Begin();
        ulong response = 0;
        if (access.IsWrite)
            Write(ref scratch, access, ref shutdown);
        else
            response = Read(ref scratch, access) & access.Ones;
        journal.Commit(vcpu, sequence, response, shutdown);
        Committed(in journal.Current);
        return response;
    }

    /// <summary>A step that answers no request (doorbells, timers).</summary>
    protected void Step(StepAction action)
    {
        var journal = Journal;
        if (action(ref journal.Begin()))
        {
            journal.Commit();
            Committed(in journal.Current);
        }
    }

    /// <summary>Changes the scratch state; true to commit, false to drop the step.</summary>
    protected delegate bool StepAction(ref T state);
}
