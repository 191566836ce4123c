using System.Diagnostics;
using System.Text;

namespace Micro.Testing;

/// <summary>
/// A process a test started: output captured, and killed (with its children) when the test disposes
/// it, so no test leaves a process behind. Only the pid started here is ever signalled.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    public ChildProcess(string fileName, IEnumerable<string> args, IDictionary<string, string>? env = null, string? workingDirectory = null)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (workingDirectory is not null)
            psi.WorkingDirectory = workingDirectory;
        foreach (string a in args)
            psi.ArgumentList.Add(a);
        if (env is not null)
        {
            foreach (var (k, v) in env)
                psi.Environment[k] = v;
        }
        _process = new Process { StartInfo = psi };
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_stdout) _stdout.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_stderr) _stderr.AppendLine(e.Data); };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Starts a .NET program (a .dll) with the same dotnet host that runs the tests.</summary>
    public static ChildProcess Dotnet(string dll, IEnumerable<string> args, IDictionary<string, string>? env = null)
        => new(Environment.ProcessPath ?? "dotnet", new[] { dll }.Concat(args), env);

    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;
    public StreamWriter StandardInput => _process.StandardInput;
    public string Stdout { get { lock (_stdout) return _stdout.ToString(); } }
    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

    /// <summary>Waits for exit; on timeout kills the process and fails with what it printed.</summary>
    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            Kill();
            throw new TimeoutException($"{_process.StartInfo.FileName} did not exit within {timeout.TotalSeconds}s\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
        }
        _process.WaitForExit(); // drain the output readers
        return _process.ExitCode;
    }

    /// <summary>Waits until stdout contains <paramref name="text"/>; fails on timeout or early exit.</summary>
    public void WaitForOutput(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Stdout.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited && !Stdout.Contains(text, StringComparison.Ordinal))
            {
                _process.WaitForExit();
                if (Stdout.Contains(text, StringComparison.Ordinal))
                    return;
                throw new InvalidOperationException($"process exited ({_process.ExitCode}) before printing '{text}'\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
            }
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"'{text}' not printed within {timeout.TotalSeconds}s\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
            Thread.Sleep(10);
        }
    }

    public void Signal(int signal)
    {
        if (!_process.HasExited)
            _ = Kill(_process.Id, signal);
    }

    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int sig);
}
