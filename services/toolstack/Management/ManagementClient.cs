using Micro.Protocol.Os;

namespace Micro.Toolstack.Management;

/// <summary>The CLI's end of the management socket: one request, one reply.</summary>
public sealed class ManagementClient : IDisposable
{
    public const string SocketVariable = "MICRO_TOOLSTACK_SOCKET";

    private readonly UnixSocket _socket;
    private readonly byte[] _buffer = new byte[ManagementCodec.MaxMessageBytes];
    private ulong _next = 1;

    private ManagementClient(UnixSocket socket) => _socket = socket;

    /// <summary>The socket: <c>$MICRO_TOOLSTACK_SOCKET</c>, else <c>$MICRO_RUN_DIR/toolstack/socket</c>.</summary>
    public static string DefaultPath()
    {
        string? path = Environment.GetEnvironmentVariable(SocketVariable);
        if (!string.IsNullOrEmpty(path))
            return path;
        string? run = Environment.GetEnvironmentVariable("MICRO_RUN_DIR");
        return Path.Combine(string.IsNullOrEmpty(run) ? "/run/micro" : run, "toolstack", "socket");
    }

    public static ManagementClient Connect(string path)
    {
        try
        {
            return new ManagementClient(UnixSocket.Connect(path));
        }
        catch (IOException e)
        {
            throw new IOException($"cannot reach the toolstack at {path} (is Micro up? ./micro up): {e.Message}", e);
        }
    }

    public ManagementReply Call(ManagementRequest request, int timeoutMs = 60_000)
    {
        ulong id = _next++;
        _socket.Send(ManagementCodec.Encode(request, id));
        var r = _socket.Receive(_buffer, Span<int>.Empty, timeoutMs);
        if (r.Status != ReceiveStatus.Message)
            throw new IOException($"no reply from the toolstack ({r.Status})");
        var reply = ManagementCodec.DecodeReply(_buffer.AsMemory(0, r.Length), out ulong replyId, out string? error)
            ?? throw new IOException("bad reply from the toolstack: " + error);
        if (replyId != id)
            throw new IOException($"the toolstack answered request {replyId}, expected {id}");
        return reply;
    }

    public void Dispose() => _socket.Dispose();
}
