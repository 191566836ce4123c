using Micro.Protocol.Hosting;
using Micro.Protocol.Os;

namespace Micro.Console.Provisioning;

/// <summary>
/// One connection on the provisioning socket: the core (or the toolstack on its behalf) hands console pages
/// to the running daemon with the same messages a supervisor uses at start (<see cref="ControlMessage"/>:
/// Memory and EventFd named as <see cref="CapabilityName"/> says, then Ready with their count, answered with
/// Ready and the count accepted). Every message is checked; a refused one is answered with Error and its fds closed.
/// </summary>
public sealed class ProvisionConnection(ControlChannel channel) : IDisposable
{
    private ulong _accepted;

    public ControlChannel Channel { get; } = channel;

    /// <summary>Messages handled per loop turn, so that a flooding peer cannot starve the consoles.</summary>
    public const int MessagesPerTurn = 64;

    /// <summary>Handles what is waiting on the socket (up to <see cref="MessagesPerTurn"/>); returns false when the peer has gone.</summary>
    public bool Receive(ConsolePages pages, Action<string> say)
    {
        Span<int> fds = stackalloc int[ControlMessage.MaxFds];
        for (int i = 0; i < MessagesPerTurn; i++)
        {
            ControlMessage message;
            ReceiveStatus status;
            try
            {
                status = Channel.Receive(out message, fds, 0);
            }
            catch (PeerProtocolException e)
            {
                Refuse(e.Message, say);
                continue;
            }
            catch (IOException)
            {
                return false;
            }
            if (status == ReceiveStatus.Closed)
                return false;
            if (status == ReceiveStatus.TimedOut)
                return true;
            Handle(message, fds[..ControlMessage.FdCount(message.Kind)], pages, say);
        }
        return true;
    }

    private void Handle(ControlMessage message, ReadOnlySpan<int> fds, ConsolePages pages, Action<string> say)
    {
        if (message.Kind is not (ControlKind.Memory or ControlKind.EventFd or ControlKind.Ready))
        {
            foreach (int fd in fds)
                LibC.Close(fd);
            Refuse($"{message.Kind} is not a provisioning message", say);
            return;
        }
        if (message.Kind == ControlKind.Ready)
        {
            Reply(ControlKind.Ready, _accepted, "");
            _accepted = 0;
            return;
        }
        if (!CapabilityName.TryParse(message.Text, out var name, out string error))
        {
            LibC.Close(fds[0]);
            Refuse(error, say);
            return;
        }
        if (message.Kind == ControlKind.Memory && message.Argument is 0 or > int.MaxValue)
        {
            LibC.Close(fds[0]);
            Refuse($"{name}: memory length {message.Argument}", say);
            return;
        }
        try
        {
            if (message.Kind == ControlKind.Memory)
            {
                pages.AddPage(name, Map(fds[0], (long)message.Argument));
            }
            else
            {
                pages.AddEventFd(name, Adopt(fds[0]));
            }
            _accepted++;
        }
        catch (Exception e) when (e is IOException or ArgumentException)
        {
            Refuse($"{message.Text}: {e.Message}", say);
        }
    }

    private static SharedMemory Map(int fd, long length)
    {
        try
        {
            return SharedMemory.Map(fd, length);
        }
        catch
        {
            LibC.Close(fd);
            throw;
        }
    }

    private static EventFd Adopt(int fd)
    {
        try
        {
            return EventFd.Adopt(fd);
        }
        catch
        {
            LibC.Close(fd);
            throw;
        }
    }

    private void Refuse(string error, Action<string> say)
    {
        say($"provisioning: refused: {error}");
        Reply(ControlKind.Error, 0, error);
    }

    private void Reply(ControlKind kind, ulong argument, string text)
    {
        try
        {
            Channel.Send(kind, argument, text);
        }
        catch (IOException)
        {
            // The peer left; Receive sees it next.
        }
    }

    public void Dispose() => Channel.Dispose();
}
