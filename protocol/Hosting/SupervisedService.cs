using System.Diagnostics;
using Micro.Protocol.EventChannels;
using Micro.Protocol.Os;

namespace Micro.Protocol.Hosting;

/// <summary>
/// One service process as its supervisor holds it: its control channel, its pidfd, and the capabilities
/// handed to it. Used from one supervisor thread. The service is untrusted: whatever it sends that is
/// malformed or unexpected is recorded in <see cref="Errors"/>, never thrown out of <see cref="Ping"/>'s
/// reading loop; its death is seen at once through the pidfd.
/// </summary>
public sealed class SupervisedService : IDisposable
{
    private readonly List<string> _errors = [];
    private int _given;
    private ulong _nonce;

    /// <summary>The process (for its stdio, if the start info redirected it); signal it only through <see cref="PidFd"/>.</summary>
    public Process Process { get; }

    public string Name { get; }
    public int Pid { get; }
    public ControlChannel Control { get; }
    public PidFd PidFd { get; }

    /// <summary>Errors the service reported about our messages, and problems with its own.</summary>
    public IReadOnlyList<string> Errors => _errors;

    /// <summary>True once the service has said Stopped (it flushed and exits 0 next).</summary>
    public bool Stopped { get; private set; }

    internal SupervisedService(string name, Process process, PidFd pidfd, ControlChannel control)
    {
        Name = name;
        Process = process;
        Pid = process.Id;
        PidFd = pidfd;
        Control = control;
    }

    public void GiveMemory(string name, SharedMemory memory) => Give(ControlKind.Memory, (ulong)memory.Length, name, [memory.Fd]);

    public void GiveEventFd(string name, EventFd eventFd) => Give(ControlKind.EventFd, 0, name, [eventFd.Fd]);

    /// <summary>The service's own event channels: it waits on <paramref name="page"/> and <paramref name="kick"/>.</summary>
    public void GiveReceiver(string name, EventChannelPage page, EventFd kick)
        => Give(ControlKind.EventChannelReceiver, 0, name, [page.Memory.Fd, kick.Fd]);

    /// <summary>A channel the service notifies: <paramref name="remotePort"/> in the receiver's <paramref name="page"/>.</summary>
    public void GiveNotifier(string name, EventChannelPage page, EventFd kick, int remotePort)
    {
        if (!EventChannelPage.IsValidPort(remotePort))
            throw new ArgumentOutOfRangeException(nameof(remotePort), $"event-channel port {remotePort} is outside 1..{EventChannelPage.PortCount - 1}");
        Give(ControlKind.EventChannelNotifier, (ulong)remotePort, name, [page.Memory.Fd, kick.Fd]);
    }

    private void Give(ControlKind kind, ulong argument, string name, ReadOnlySpan<int> fds)
    {
        Control.Send(kind, argument, name, fds);
        _given++;
    }

    /// <summary>Tells the service that every capability has been sent; its loop starts.</summary>
    public void Ready() => Control.Send(ControlKind.Ready, (ulong)_given);

    /// <summary>
    /// Asks the service how it is; returns its health text, or null when no answer came within
    /// <paramref name="timeoutMs"/> or the service closed its end (it is dead or dying).
    /// </summary>
    public string? Ping(int timeoutMs)
    {
        ulong nonce = ++_nonce;
        try
        {
            Control.Send(ControlKind.Ping, nonce);
        }
        catch (IOException e)
        {
            _errors.Add($"ping: {e.Message}");
            return null;
        }
        var watch = Stopwatch.StartNew();
        Span<int> fds = stackalloc int[ControlMessage.MaxFds];
        while (true)
        {
            int left = Math.Max(0, timeoutMs - (int)watch.ElapsedMilliseconds);
            ReceiveStatus status;
            ControlMessage message;
            try
            {
                status = Control.Receive(out message, fds, left);
            }
            catch (PeerProtocolException e)
            {
                _errors.Add(e.Message);
                continue;
            }
            if (status != ReceiveStatus.Message)
                return null;
            switch (message.Kind)
            {
                case ControlKind.Pong when message.Argument == nonce:
                    return message.Text;
                case ControlKind.Pong:
                    break; // an answer to an earlier ping that timed out
                case ControlKind.Error:
                    _errors.Add($"{Name} reports: {message.Text}");
                    break;
                case ControlKind.Stopped:
                    Stopped = true;
                    break;
                default:
                    foreach (int fd in fds[..ControlMessage.FdCount(message.Kind)])
                        LibC.Close(fd);
                    _errors.Add($"{Name} sent unexpected {message.Kind}");
                    break;
            }
        }
    }

    /// <summary>Asks the service to stop over the control channel (as SIGTERM would).</summary>
    public void RequestStop() => Control.Send(ControlKind.Stop);

    /// <summary>Sends SIGTERM and waits for the exit; returns the exit code, or null if it did not exit in time.</summary>
    public int? Terminate(int timeoutMs)
    {
        PidFd.Signal(LibC.SIGTERM);
        return WaitForExit(timeoutMs);
    }

    /// <summary>The exit code once the process has exited, or null after <paramref name="timeoutMs"/> (-1: forever).</summary>
    public int? WaitForExit(int timeoutMs)
    {
        if (!PidFd.WaitForExit(timeoutMs))
            return null;
        Process.WaitForExit();
        return Process.ExitCode;
    }

    public bool HasExited => PidFd.WaitForExit(0);

    /// <summary>SIGKILL to this process only.</summary>
    public void Kill() => PidFd.Signal(LibC.SIGKILL);

    public void Dispose()
    {
        if (!HasExited)
        {
            Kill();
            PidFd.WaitForExit(10_000);
        }
        Control.Dispose();
        PidFd.Dispose();
        Process.Dispose();
    }
}
