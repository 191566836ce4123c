using System.Net.Sockets;
using Micro.Protocol.Os;
using Micro.XenStore.Service;

namespace Micro.XenStore.Transport;

/// <summary>
/// The daemon's single event loop, as in the C daemon: poll() over Xen's Unix socket, its clients
/// and any extra event sources (guest rings), process every request that arrived, make the changes
/// durable once for the whole batch (group commit), then send replies and events.
/// A client that stops reading is disconnected once too much output waits for it; nobody else waits.
/// </summary>
public sealed unsafe class UnixSocketServer : IDisposable
{
    /// <summary>Output waiting for one client beyond which it is disconnected.</summary>
    public const int MaxQueuedBytes = 4 << 20;

    private readonly XenStoreService _service;
    private readonly Socket _listener;
    private readonly List<SocketConnection> _clients = [];
    private readonly int _wakeFd;
    private volatile bool _stop;

    public UnixSocketServer(XenStoreService service, string socketPath)
    {
        _service = service;
        SocketPathName = socketPath;
        string? dir = Path.GetDirectoryName(socketPath);
        if (!string.IsNullOrEmpty(dir))
            System.IO.Directory.CreateDirectory(dir);
        if (File.Exists(socketPath))
            File.Delete(socketPath);
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        File.SetUnixFileMode(socketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        _listener.Listen(64);
        _listener.Blocking = false;
        _wakeFd = LibC.EventFd(0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK);
        if (_wakeFd < 0)
            throw new IOException("eventfd failed");
    }

    public string SocketPathName { get; }

    /// <summary>Runs before replies go out after each batch (the journal's group commit).</summary>
    public Action? BeforeReplies { get; set; }

    /// <summary>More descriptors to poll (guest rings' event channels) and what to do when they fire.</summary>
    public List<(int Fd, Action OnReadable)> ExtraSources { get; } = [];

    /// <summary>Runs after each batch's replies went out to the socket clients (ring transports flush here).</summary>
    public Action? AfterReplies { get; set; }

    public int ClientCount => _clients.Count;

    /// <summary>Serves until <see cref="Stop"/>.</summary>
    public void Run()
    {
        byte[] buffer = new byte[64 * 1024];
        var fds = new LibC.PollFd[16];
        var readable = new List<SocketConnection>();
        while (!_stop)
        {
            // A snapshot: handlers may add or remove sources.
            var extra = ExtraSources.ToArray();
            int clientCount = _clients.Count;
            int count = 2 + clientCount + extra.Length;
            if (fds.Length < count)
                fds = new LibC.PollFd[count * 2];
            fds[0] = new LibC.PollFd { Fd = _wakeFd, Events = LibC.POLLIN };
            fds[1] = new LibC.PollFd { Fd = (int)_listener.Handle, Events = LibC.POLLIN };
            for (int i = 0; i < clientCount; i++)
            {
                var c = _clients[i];
                fds[2 + i] = new LibC.PollFd { Fd = (int)c.Socket.Handle, Events = (short)(LibC.POLLIN | (c.QueuedMessages > 0 ? LibC.POLLOUT : 0)) };
            }
            for (int i = 0; i < extra.Length; i++)
                fds[2 + clientCount + i] = new LibC.PollFd { Fd = extra[i].Fd, Events = LibC.POLLIN };
            int n;
            fixed (LibC.PollFd* p = fds)
                n = LibC.Poll(p, (nuint)count, -1);
            if (n < 0)
                continue; // EINTR
            if ((fds[0].Revents & LibC.POLLIN) != 0)
            {
                ulong v;
                _ = LibC.Read(_wakeFd, &v, 8);
            }
            readable.Clear();
            for (int i = 0; i < clientCount; i++)
            {
                if ((fds[2 + i].Revents & (LibC.POLLIN | LibC.POLLHUP | LibC.POLLERR | LibC.POLLNVAL)) != 0)
                    readable.Add(_clients[i]);
            }
            if ((fds[1].Revents & LibC.POLLIN) != 0)
                AcceptAll();
            foreach (var c in readable)
                ReadFrom(c, buffer);
            for (int i = 0; i < extra.Length; i++)
            {
                if ((fds[2 + clientCount + i].Revents & (LibC.POLLIN | LibC.POLLHUP | LibC.POLLERR | LibC.POLLNVAL)) != 0)
                    extra[i].OnReadable();
            }
            BeforeReplies?.Invoke();
            for (int i = _clients.Count - 1; i >= 0; i--)
            {
                var c = _clients[i];
                if (c.Closed || !c.Flush() || c.QueuedBytes > MaxQueuedBytes)
                    Drop(c);
            }
            AfterReplies?.Invoke();
        }
    }

    private void AcceptAll()
    {
        while (true)
        {
            Socket s;
            try
            {
                s = _listener.Accept();
            }
            catch (SocketException)
            {
                return;
            }
            var c = new SocketConnection(s);
            _clients.Add(c);
            _service.Add(c);
        }
    }

    private void ReadFrom(SocketConnection c, byte[] buffer)
    {
        if (c.Closed)
            return;
        int n = c.Socket.Receive(buffer, 0, buffer.Length, SocketFlags.None, out var err);
        if (err == SocketError.WouldBlock)
            return;
        if (err != SocketError.Success || n == 0)
        {
            Drop(c);
            return;
        }
        c.Handler ??= msg => _service.Handle(c, msg);
        if (!c.Decoder.Feed(buffer.AsSpan(0, n), c.Handler))
            Drop(c);
    }

    private void Drop(SocketConnection c)
    {
        _clients.Remove(c);
        _service.Remove(c);
    }

    /// <summary>Asks the loop to run once more (e.g. after work queued from another thread).</summary>
    public void Wake()
    {
        ulong one = 1;
        _ = LibC.Write(_wakeFd, &one, 8);
    }

    public void Stop()
    {
        _stop = true;
        Wake();
    }

    public void Dispose()
    {
        foreach (var c in _clients.ToArray())
            Drop(c);
        _listener.Dispose();
        _ = LibC.Close(_wakeFd);
        try
        {
            File.Delete(SocketPathName);
        }
        catch (IOException)
        {
            // already gone
        }
    }
}
