using Micro.Protocol.EventChannels;
using Micro.Protocol.Os;

namespace Micro.Protocol.Hosting;

/// <summary>
/// One capability a service received from its supervisor: named, of a kind, with its fds. The service
/// turns it into the object it stands for exactly once (<see cref="MapMemory"/>, <see cref="OpenEventFd"/>,
/// <see cref="OpenReceiver"/>, <see cref="OpenNotifier"/>), which checks the fds and takes them over;
/// capabilities never opened are closed when the <see cref="ServiceHost"/> is disposed.
/// </summary>
public sealed class Capability : IDisposable
{
    private int _fd0, _fd1;

    public string Name { get; }
    public ControlKind Kind { get; }

    /// <summary>The memory's length, or the notifier's remote port.</summary>
    public ulong Argument { get; }

    internal Capability(ControlMessage message, ReadOnlySpan<int> fds)
    {
        Name = message.Text;
        Kind = message.Kind;
        Argument = message.Argument;
        _fd0 = fds.Length > 0 ? fds[0] : -1;
        _fd1 = fds.Length > 1 ? fds[1] : -1;
    }

    public SharedMemory MapMemory()
    {
        int fd = Take(ControlKind.Memory, out _);
        if (Argument is 0 or > int.MaxValue)
        {
            LibC.Close(fd);
            throw new PeerProtocolException($"memory capability '{Name}' has length {Argument}");
        }
        try
        {
            return SharedMemory.Map(fd, (long)Argument);
        }
        catch (Exception e) when (e is IOException or ArgumentOutOfRangeException)
        {
            LibC.Close(fd);
            throw new PeerProtocolException($"memory capability '{Name}': {e.Message}", e);
        }
    }

    public EventFd OpenEventFd()
    {
        int fd = Take(ControlKind.EventFd, out _);
        try
        {
            return EventFd.Adopt(fd);
        }
        catch (IOException e)
        {
            LibC.Close(fd);
            throw new PeerProtocolException($"eventfd capability '{Name}': {e.Message}", e);
        }
    }

    public EventChannelReceiver OpenReceiver()
    {
        int page = Take(ControlKind.EventChannelReceiver, out int kick);
        try
        {
            return EventChannelReceiver.Open(page, kick);
        }
        catch (IOException e)
        {
            throw new PeerProtocolException($"event-channel capability '{Name}': {e.Message}", e);
        }
    }

    public EventChannelNotifier OpenNotifier()
    {
        int page = Take(ControlKind.EventChannelNotifier, out int kick);
        try
        {
            return EventChannelNotifier.Open(page, kick, Argument > int.MaxValue ? 0 : (int)Argument);
        }
        catch (Exception e) when (e is IOException or ArgumentOutOfRangeException)
        {
            throw new PeerProtocolException($"event-channel capability '{Name}': {e.Message}", e);
        }
    }

    private int Take(ControlKind expected, out int second)
    {
        if (Kind != expected)
            throw new InvalidOperationException($"capability '{Name}' is {Kind}, not {expected}");
        if (_fd0 < 0)
            throw new InvalidOperationException($"capability '{Name}' was already opened");
        int first = _fd0;
        second = _fd1;
        _fd0 = _fd1 = -1;
        return first;
    }

    public void Dispose()
    {
        if (_fd0 >= 0)
            LibC.Close(_fd0);
        if (_fd1 >= 0)
            LibC.Close(_fd1);
        _fd0 = _fd1 = -1;
    }
}
