using System.Diagnostics;
using System.Globalization;
using System.Text;
using Micro.RingPeer;

namespace Micro.Bench.Protocol;

/// <summary>One side of a ring run in its own process (micro-ringpeer or the C baseline); killed if it outlives its welcome.</summary>
internal sealed class PeerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly ManualResetEventSlim _ready = new();

    private PeerProcess(string file, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args)
            psi.ArgumentList.Add(a);
        _process = new Process { StartInfo = psi };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            lock (_stdout)
                _stdout.AppendLine(e.Data);
            if (e.Data == "ready")
                _ready.Set();
        };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_stderr) _stderr.AppendLine(e.Data); };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>micro-ringpeer, which the project reference puts next to this program; pinned to <paramref name="cpu"/> unless it is null.</summary>
    public static PeerProcess RingPeer(string side, SharedRing ring, uint count, string workload, int? cpu = null)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "micro-ringpeer.dll");
        string host = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        return Start(cpu, host, [dll, side, ring.PathForPeer, ring.Memory.Length.ToString(), count.ToString(), workload]);
    }

    public static PeerProcess Native(string exe, string side, SharedRing ring, uint count, int length, int? cpu = null)
        => Start(cpu, exe, [side, ring.PathForPeer, ring.Memory.Length.ToString(), count.ToString(), length.ToString()]);

    /// <summary>Pinning goes through taskset (util-linux), so every thread of the program starts on that CPU.</summary>
    private static PeerProcess Start(int? cpu, string file, string[] args)
        => cpu is { } c ? new("taskset", ["-c", c.ToString(CultureInfo.InvariantCulture), file, .. args]) : new(file, args);

    public void WaitReady(TimeSpan timeout)
    {
        if (!_ready.Wait(timeout))
            throw new TimeoutException($"{_process.StartInfo.FileName} did not start: {Stderr}");
    }

    public RingStats Finish(string side, TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            Dispose();
            throw new TimeoutException($"{side} did not finish within {timeout.TotalSeconds}s");
        }
        _process.WaitForExit();
        if (_process.ExitCode != 0)
            throw new InvalidOperationException($"{side} exited {_process.ExitCode}: {Stderr}");
        lock (_stdout)
            return RingStats.Parse(_stdout.ToString(), side) ?? throw new InvalidOperationException($"{side} printed no stats");
    }

    private string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
                _process.Kill();
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        _process.Dispose();
        _ready.Dispose();
    }
}
