using System.Globalization;
using System.Text;
using Micro.XenStore.Store;
using Micro.XenStore.Wire;

namespace Micro.XenStore.Client;

/// <summary>Node requests. <c>tx</c> is a transaction id from <see cref="TransactionStart"/>, or 0 for none.</summary>
public sealed partial class XenStoreClient
{
    public byte[] Read(string path, uint tx = 0) => Request(XsMessageType.XS_READ, XsPayload.Terminated(path), tx);

    public string ReadString(string path, uint tx = 0) => Encoding.UTF8.GetString(Read(path, tx));

    /// <summary>The node's value, or null if it does not exist (ENOENT).</summary>
    public string? TryReadString(string path, uint tx = 0)
    {
        try
        {
            return ReadString(path, tx);
        }
        catch (XenStoreException e) when (e.Error == XsError.ENOENT)
        {
            return null;
        }
    }

    public bool Exists(string path, uint tx = 0) => TryReadString(path, tx) is not null;

    public void Write(string path, ReadOnlySpan<byte> value, uint tx = 0)
    {
        byte[] name = XsPayload.Terminated(path);
        byte[] payload = new byte[name.Length + value.Length];
        name.CopyTo(payload, 0);
        value.CopyTo(payload.AsSpan(name.Length));
        Request(XsMessageType.XS_WRITE, payload, tx);
    }

    public void Write(string path, string value, uint tx = 0) => Write(path, Encoding.UTF8.GetBytes(value), tx);

    public void Mkdir(string path, uint tx = 0) => Request(XsMessageType.XS_MKDIR, XsPayload.Terminated(path), tx);

    /// <summary>Removes the node and everything below it (a missing node whose parent exists is fine).</summary>
    public void Remove(string path, uint tx = 0) => Request(XsMessageType.XS_RM, XsPayload.Terminated(path), tx);

    /// <summary>
    /// The node's children in the daemon's order. A list too long for one reply (E2BIG) is fetched in
    /// parts with XS_DIRECTORY_PART, restarting if the node changes in between, as libxenstore does.
    /// </summary>
    public IReadOnlyList<string> Directory(string path, uint tx = 0)
    {
        try
        {
            return XsPayload.Strings(Request(XsMessageType.XS_DIRECTORY, XsPayload.Terminated(path), tx), 0)!;
        }
        catch (XenStoreException e) when (e.Error == XsError.E2BIG)
        {
            return DirectoryInParts(path, tx);
        }
    }

    private List<string> DirectoryInParts(string path, uint tx)
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            var names = new List<byte>();
            string? generation = null;
            bool changed = false;
            while (true)
            {
                string offset = names.Count.ToString(CultureInfo.InvariantCulture);
                byte[] reply = Request(XsMessageType.XS_DIRECTORY_PART, XsPayload.Join([path, offset]), tx);
                int nul = Array.IndexOf(reply, (byte)0);
                if (nul < 0)
                    throw new IOException($"xenstored sent a DIRECTORY_PART reply without a generation for {path}");
                string gen = Encoding.ASCII.GetString(reply, 0, nul);
                if (generation is not null && gen != generation)
                {
                    changed = true;
                    break;
                }
                generation = gen;
                var chunk = reply.AsSpan(nul + 1);
                // The list's end is marked by an extra NUL (a lone NUL when nothing is left).
                bool end = chunk.Length == 1 && chunk[0] == 0 || chunk.EndsWith("\0\0"u8);
                if (end)
                    chunk = chunk[..^1];
                else if (chunk.Length == 0 || chunk[^1] != 0)
                    throw new IOException($"xenstored sent a malformed DIRECTORY_PART reply for {path}");
                names.AddRange(chunk);
                if (end)
                    return XsPayload.Strings([.. names], 0)!;
            }
            if (!changed)
                break;
        }
        throw new XenStoreException(XsError.EAGAIN, "XS_DIRECTORY_PART " + path);
    }

    public XsPermissions GetPermissions(string path, uint tx = 0)
    {
        var entries = XsPayload.Strings(Request(XsMessageType.XS_GET_PERMS, XsPayload.Terminated(path), tx), 1)
            ?? throw new IOException($"xenstored sent no permissions for {path}");
        var parsed = new XsPermEntry[entries.Count];
        for (int i = 0; i < entries.Count; i++)
            parsed[i] = XsPermissions.ParseEntry(entries[i]) ?? throw new IOException($"xenstored sent a malformed permission '{entries[i]}' for {path}");
        return new XsPermissions(parsed);
    }

    public void SetPermissions(string path, XsPermissions perms, uint tx = 0)
        => Request(XsMessageType.XS_SET_PERMS, XsPayload.Join([path, .. perms.Entries.Select(XsPermissions.FormatEntry)]), tx);
}
