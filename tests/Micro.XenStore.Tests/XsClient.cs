using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Micro.XenStore.Wire;

namespace Micro.XenStore.Tests;

/// <summary>A raw xs_wire client over a Unix socket: sends exact bytes, reads back exact messages.</summary>
public sealed class XsClient : IDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[1 << 16];
    private readonly List<byte> _pending = [];
    private readonly XsFrameDecoder _decoder = new();
    private readonly Queue<XsMessage> _received = new();

    public XsClient(string socketPath)
    {
        _socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _socket.Connect(new UnixDomainSocketEndPoint(socketPath));
    }

    public void SendRaw(byte[] bytes) => _socket.Send(bytes);

    public void Send(XsMessageType type, string payload, uint reqId = 7, uint txId = 0)
        => SendRaw(XsMessage.Encode((uint)type, reqId, txId, Encoding.UTF8.GetBytes(payload)));

    public void Send(uint type, byte[] payload, uint reqId = 7, uint txId = 0)
        => SendRaw(XsMessage.Encode(type, reqId, txId, payload));

    /// <summary>Every message that arrives until the daemon has been quiet for <paramref name="quietMs"/>.</summary>
    public List<XsMessage> ReceiveUntilQuiet(int quietMs = 150)
    {
        var result = new List<XsMessage>();
        while (_received.Count > 0)
            result.Add(_received.Dequeue());
        while (_socket.Poll(quietMs * 1000, SelectMode.SelectRead))
        {
            int n;
            try
            {
                n = _socket.Receive(_buffer);
            }
            catch (SocketException)
            {
                n = 0;
            }
            if (n == 0)
            {
                Closed = true;
                break;
            }
            _decoder.Feed(_buffer.AsSpan(0, n), result.Add);
        }
        return result;
    }

    /// <summary>Waits for messages until one is a reply (not a watch event); returns all of them.</summary>
    public List<XsMessage> ReceiveReply(int timeoutMs = 10000)
    {
        var result = new List<XsMessage>();
        var deadline = Environment.TickCount64 + timeoutMs;
        while (true)
        {
            while (_received.Count > 0)
            {
                var m = _received.Dequeue();
                result.Add(m);
                if (m.Type != (uint)XsMessageType.XS_WATCH_EVENT)
                    return result;
            }
            long left = deadline - Environment.TickCount64;
            if (left <= 0 || !_socket.Poll((int)Math.Min(left, int.MaxValue / 1000) * 1000, SelectMode.SelectRead))
                throw new TimeoutException("no reply");
            int n = _socket.Receive(_buffer);
            if (n == 0)
            {
                Closed = true;
                throw new IOException("connection closed");
            }
            _decoder.Feed(_buffer.AsSpan(0, n), _received.Enqueue);
        }
    }

    /// <summary>One request and its reply payload as text; XS_ERROR replies come back as "error:NAME".</summary>
    public string Request(XsMessageType type, string payload, uint txId = 0)
    {
        Send(type, payload, 1, txId);
        var msgs = ReceiveReply();
        foreach (var m in msgs)
        {
            if (m.Type == (uint)XsMessageType.XS_WATCH_EVENT)
                Events.Add(Encoding.UTF8.GetString(m.Payload));
        }
        var reply = msgs[^1];
        string text = Encoding.UTF8.GetString(reply.Payload);
        return reply.Type == (uint)XsMessageType.XS_ERROR ? "error:" + text.TrimEnd('\0') : text;
    }

    public List<string> Events { get; } = [];

    public bool Closed { get; private set; }

    public static uint ReadU32(byte[] b, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(offset));

    public void Dispose() => _socket.Dispose();
}
