using Micro.Console.Clients;
using Micro.Console.Logging;

namespace Micro.Console.Consoles;

/// <summary>
/// Everything the daemon keeps for one domain: its sources (the PV console page and the UART ring), its
/// log, the backlog for new clients, the attached clients and who holds the input, and its rate limit.
/// Output from every source goes the same way: log (crash-safe, see <see cref="ConsoleLog"/>), backlog,
/// clients. Used from the daemon's one loop thread only.
/// </summary>
public sealed class GuestConsole : IDisposable
{
    /// <summary>Ring faults tolerated per source (each resets the ring) before the source is dropped.</summary>
    public const int MaxFaults = 8;

    /// <summary>Client input waiting for room in the guest's in ring; beyond this it is refused.</summary>
    public const int MaxPendingInput = 4096;

    private readonly ConsoleSource?[] _sources = new ConsoleSource?[2];
    private readonly int[] _faults = new int[2];
    private readonly List<ConsoleClient> _clients = [];
    private readonly List<byte> _input = [];
    private readonly byte[] _buffer = new byte[4096];
    private readonly Action<string> _say;
    private bool _logFailing;

    public int Domid { get; }
    public string Name { get; }
    public ConsoleLog Log { get; }
    public Backlog Backlog { get; }
    public RateLimit Rate { get; }
    public ConsoleClient? InputHolder { get; private set; }
    public IReadOnlyList<ConsoleClient> Clients => _clients;

    /// <summary>
    /// When the rings must be looked at again without a kick (loop time in ms; 0: only on a kick): the rate
    /// limit's next period, a failing log's retry, or at once when a turn's batch bound left bytes behind.
    /// </summary>
    public long RetryAt { get; private set; }

    /// <summary>Ring reads per source per turn, so that one chatty guest cannot keep the loop from the others.</summary>
    public const int BatchesPerTurn = 16;

    public GuestConsole(int domid, string name, ConsoleLog log, RateLimit rate, int backlog, Action<string> say)
    {
        Domid = domid;
        Name = name;
        Log = log;
        Rate = rate;
        _say = say;
        Backlog = new Backlog(backlog);
        Backlog.Append(log.Tail(backlog));
    }

    public override string ToString() => $"d{Domid} ({Name})";

    public ConsoleSource? Source(SourceKind kind) => _sources[(int)kind];

    public IEnumerable<ConsoleSource> Sources => _sources.Where(s => s is not null)!;

    /// <summary>
    /// Starts serving <paramref name="source"/> (replacing a previous one of its kind). If the log's cursor
    /// knows this very page, the daemon resumes where the log ends; a new page is read from its own index.
    /// </summary>
    public void AddSource(ConsoleSource source)
    {
        int k = (int)source.Kind;
        _sources[k]?.Dispose();
        _sources[k] = source;
        _faults[k] = 0;
        var at = Log.Position(source.Kind);
        if (!at.Valid || at.Identity != source.Identity)
        {
            // A page the log has not seen: record where it starts before reading, so a kill during the
            // first batch is recovered like any other.
            Log.Commit(source.Kind, source.Identity, source.Consumer);
        }
        else if (source.Consumer != at.Index)
        {
            if (source.ResumeAt(at.Index))
                _say($"{this} {source.Kind}: resumed at out index 0x{at.Index:X}, where the log ends");
            else
                _say($"{this} {source.Kind}: the log ends at out index 0x{at.Index:X}, outside the ring; resuming from the page's 0x{source.Consumer:X}");
        }
        source.Connect();
    }

    /// <summary>Reads every source's output (within the rate limit) and pushes pending input.</summary>
    public void Service(long nowMs)
    {
        RetryAt = 0;
        foreach (var source in _sources)
        {
            if (source is not null)
                Drain(source, nowMs);
        }
        PushInput();
    }

    private void Drain(ConsoleSource source, long nowMs)
    {
        bool consumed = false;
        for (int batch = 0; ; batch++)
        {
            if (batch == BatchesPerTurn)
            {
                RetryNoLaterThan(nowMs);
                break;
            }
            int allowed = Rate.Available(nowMs);
            if (allowed <= 0)
            {
                RetryNoLaterThan(Rate.PeriodEndsAt);
                break;
            }
            var buffer = _buffer.AsSpan(0, Math.Min(_buffer.Length, allowed));
            int n = source.PeekOutput(buffer, out string? fault);
            if (n < 0)
            {
                Fault(source, fault!, output: true);
                return;
            }
            if (n == 0)
                break;
            var bytes = buffer[..n];
            try
            {
                Log.Append(bytes);
                Log.Commit(source.Kind, source.Identity, source.Consumer + (uint)n);
            }
            catch (IOException e)
            {
                // Nothing is consumed that is not logged: the guest waits, and the daemon tries again shortly.
                if (!_logFailing)
                    _say($"{this}: writing {Log.Path} failed: {e.Message}; the guest's output waits in its ring, retrying every second");
                _logFailing = true;
                RetryNoLaterThan(nowMs + 1000);
                break;
            }
            if (_logFailing)
                _say($"{this}: writing {Log.Path} works again");
            _logFailing = false;
            source.CommitOutput(n);
            consumed = true;
            Rate.Consume(n);
            Backlog.Append(bytes);
            for (int i = 0; i < bytes.Length; i += AttachMessage.MaxOutput)
            {
                var packet = AttachMessage.Output(bytes[i..Math.Min(bytes.Length, i + AttachMessage.MaxOutput)]);
                foreach (var client in _clients)
                    client.Send(packet);
            }
        }
        if (consumed)
            source.Notify.Signal(); // Xen: the backend notifies after consuming, so a writer waiting for room goes on
    }

    private void RetryNoLaterThan(long at) => RetryAt = RetryAt == 0 ? at : Math.Min(RetryAt, at);

    private void Fault(ConsoleSource source, string fault, bool output)
    {
        int k = (int)source.Kind;
        _faults[k]++;
        if (_faults[k] > MaxFaults)
        {
            _say($"{this} {source.Kind}: {fault}; {MaxFaults} faults already, dropping this ring");
            _sources[k] = null;
            source.Dispose();
            if (_sources.All(s => s is null))
            {
                foreach (var client in _clients)
                    client.Close("the console's rings were dropped: the guest corrupted their indices");
            }
            return;
        }
        if (output)
        {
            source.ResetOutput();
            Log.Commit(source.Kind, source.Identity, source.Consumer);
        }
        else
        {
            source.ResetInput();
            _input.Clear(); // what clients typed before the fault is dropped with what the ring held
        }
        _say($"{this} {source.Kind}: {fault}; ring reset (fault {_faults[k]} of {MaxFaults})");
        source.Notify.Signal();
    }

    /// <summary>Where client input goes: the PV console if there is one, else the UART.</summary>
    private ConsoleSource? InputSource => _sources[(int)SourceKind.Console] ?? _sources[(int)SourceKind.Uart];

    private void PushInput()
    {
        var source = InputSource;
        if (source is null || _input.Count == 0)
            return;
        var pending = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_input);
        int n = source.WriteInput(pending, out string? fault);
        if (n < 0)
        {
            Fault(source, fault!, output: false);
            return;
        }
        if (n > 0)
        {
            _input.RemoveRange(0, n);
            source.Notify.Signal();
        }
    }

    /// <summary>Attaches a client: it gets the Attached message, the backlog, Live, then everything new.</summary>
    public void Attach(ConsoleClient client, bool wantInput)
    {
        client.Console = this;
        bool granted = wantInput && InputHolder is null;
        if (granted)
        {
            InputHolder = client;
            client.HoldsInput = true;
        }
        _clients.Add(client);
        client.Send(AttachMessage.Attached(Domid, granted, Name));
        if (wantInput && !granted)
            client.Send(AttachMessage.Text(AttachKind.Error, $"the input of d{Domid} is held by client pid {InputHolder!.Pid}; attached read-only"));
        var backlog = Backlog.ToArray();
        for (int i = 0; i < backlog.Length; i += AttachMessage.MaxOutput)
            client.Send(AttachMessage.Output(backlog.AsSpan(i, Math.Min(AttachMessage.MaxOutput, backlog.Length - i))));
        client.Send([(byte)AttachKind.Live]);
    }

    public void Detach(ConsoleClient client)
    {
        _clients.Remove(client);
        if (InputHolder == client)
            InputHolder = null;
        client.Console = null;
        client.HoldsInput = false;
    }

    /// <summary>Takes input from a client for the guest; refused unless it holds the input and there is room.</summary>
    public void Input(ConsoleClient client, ReadOnlySpan<byte> bytes)
    {
        if (InputHolder != client)
        {
            client.Send(AttachMessage.Text(AttachKind.Error, "input refused: this client does not hold the console's input"));
            return;
        }
        if (_input.Count + bytes.Length > MaxPendingInput)
        {
            client.Send(AttachMessage.Text(AttachKind.Error, $"input refused: {_input.Count} bytes already wait for the guest to read"));
            return;
        }
        _input.AddRange(bytes);
        PushInput();
    }

    public void Dispose()
    {
        foreach (var client in _clients.ToArray())
            client.Close($"console of d{Domid} is gone");
        foreach (var source in _sources)
            source?.Dispose();
        Log.Dispose();
    }
}
