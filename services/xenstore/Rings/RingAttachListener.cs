using System.Globalization;
using System.Text;
using Micro.Protocol.Os;
using Micro.XenStore.Transport;

namespace Micro.XenStore.Rings;

/// <summary>
/// Hosted stand-in for the core's grant map of a guest's xenstore page: a SOCK_SEQPACKET socket on
/// which a process of the same user (the core, or a test acting as it) offers a domain's ring as
/// one message <c>attach DOMID</c> carrying three fds — the page (a sealed memfd), the eventfd the
/// guest signals and the eventfd the store signals. The reply is <c>OK</c> or <c>error: why</c>.
/// Everything received is checked; a bad offer is refused and its fds closed.
/// </summary>
public sealed class RingAttachListener : IDisposable
{
    private readonly UnixListener _listener;
    public RingAttachListener(string path)
    {
        string? dir = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(dir))
            Directory.CreateDirectory(dir);
        if (File.Exists(path))
            File.Delete(path);
        _listener = UnixListener.Bind(path);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    public int Fd => _listener.Fd;

    /// <summary>Serves one pending connection (called when the listener is readable).</summary>
    public void AcceptOne(GuestRings rings)
    {
        using var peer = _listener.Accept(0);
        if (peer is null)
            return;
        string reply;
        try
        {
            reply = Attach(peer, rings);
        }
        catch (Exception e) when (e is IOException or PeerProtocolException or ArgumentException)
        {
            reply = "error: " + e.Message;
        }
        try
        {
            peer.Send(Encoding.ASCII.GetBytes(reply));
        }
        catch (IOException)
        {
            // the peer left; nothing to tell
        }
    }

    private static string Attach(UnixSocket peer, GuestRings rings)
    {
        var cred = peer.Peer;
        if (cred.Uid != 0 && cred.Uid != LibC.GetUid())
            return $"error: uid {cred.Uid} may not attach rings";
        Span<byte> data = stackalloc byte[64];
        Span<int> fds = stackalloc int[3];
        var got = peer.Receive(data, fds, timeoutMs: 1000);
        if (got.Status != ReceiveStatus.Message)
            return "error: no attach message";
        var taken = fds[..got.FdCount];
        SharedMemory? page = null;
        EventFd? kick = null, notify = null;
        try
        {
            string text = Encoding.ASCII.GetString(data[..got.Length]);
            if (!text.StartsWith("attach ", StringComparison.Ordinal)
                || !uint.TryParse(text.AsSpan(7), NumberStyles.None, CultureInfo.InvariantCulture, out uint domid) || domid is 0 or > 0x7FEF)
                return $"error: expected 'attach DOMID' with a domid in 1..32751, got '{text}'";
            if (got.FdCount != 3)
                return $"error: attach needs 3 fds (page, guest eventfd, store eventfd), got {got.FdCount}";
            page = SharedMemory.Map(taken[0], 4096);
            taken[0] = -1;
            kick = EventFd.Adopt(taken[1]);
            taken[1] = -1;
            notify = EventFd.Adopt(taken[2]);
            taken[2] = -1;
            var ring = new GuestRing(domid, page, kick, notify);
            if (!rings.Offer(ring, out string? refusal))
            {
                ring.Dispose();
                return "error: " + refusal;
            }
            return "OK";
        }
        catch
        {
            page?.Dispose();
            kick?.Dispose();
            notify?.Dispose();
            throw;
        }
        finally
        {
            foreach (int fd in taken)
            {
                if (fd >= 0)
                    _ = LibC.Close(fd);
            }
        }
    }

    public void Dispose() => _listener.Dispose();
}
