using System.Net.Sockets;
using Micro.XenStore.Connections;
using Micro.XenStore.Wire;

namespace Micro.XenStore.Transport;

/// <summary>
/// A client on Xen's Unix socket. Like the C daemon, every socket client is dom0 and privileged
/// (the socket itself is root-only). The socket is non-blocking; unsent output waits for POLLOUT.
/// </summary>
public sealed class SocketConnection : Connection
{
    private int _sentOfHead;

    public SocketConnection(Socket socket) : base(0, privileged: true)
    {
        Socket = socket;
        Socket.Blocking = false;
    }

    public Socket Socket { get; }
    public XsFrameDecoder Decoder { get; } = new();

    /// <summary>Where decoded requests go (made once, not per read).</summary>
    public Action<XsMessage>? Handler { get; set; }

    /// <summary>Sends what it can without blocking; false if the peer is gone.</summary>
    public bool Flush()
    {
        while (TryPeekOutput(out byte[] frame))
        {
            int n = Socket.Send(frame, _sentOfHead, frame.Length - _sentOfHead, SocketFlags.None, out var err);
            if (err == SocketError.WouldBlock)
                return true;
            if (err != SocketError.Success)
                return false;
            _sentOfHead += n;
            if (_sentOfHead == frame.Length)
            {
                _sentOfHead = 0;
                DequeueOutput();
            }
        }
        return true;
    }

    public override void Close()
    {
        base.Close();
        Socket.Dispose();
    }
}
