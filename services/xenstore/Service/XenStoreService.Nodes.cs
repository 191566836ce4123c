using System.Globalization;
using System.Text;
using Micro.XenStore.Connections;
using Micro.XenStore.Store;
using Micro.XenStore.Wire;

namespace Micro.XenStore.Service;

/// <summary>The node requests: read, write, mkdir, rm, directory listings and permissions.</summary>
public sealed partial class XenStoreService
{
    private static string? PathArg(Connection conn, string? arg, bool allowSpecial = false)
        => arg is null ? null : XsPath.Canonicalize(conn.DomId, arg, allowSpecial);

    private XsError Read(Connection conn, XsMessage msg, Transaction? tx)
    {
        string? path = PathArg(conn, XsPayload.OneArg(msg.Payload));
        if (path is null)
            return XsError.EINVAL;
        var node = GetNode(conn, ViewOf(tx), path, XsPerm.Read, out var err);
        if (node is null)
            return err;
        Reply(conn, msg, node.Value);
        return XsError.None;
    }

    private XsError Directory(Connection conn, XsMessage msg, Transaction? tx)
    {
        string? path = PathArg(conn, XsPayload.OneArg(msg.Payload));
        if (path is null)
            return XsError.EINVAL;
        var node = GetNode(conn, ViewOf(tx), path, XsPerm.Read, out var err);
        if (node is null)
            return err;
        byte[] children = XsPayload.Join(node.Children);
        if (children.Length > XsLimits.PayloadMax)
            return XsError.E2BIG;
        Reply(conn, msg, children);
        return XsError.None;
    }

    /// <summary>
    /// XS_DIRECTORY_PART (path, byte offset into the NUL-separated child list): the node's generation,
    /// then as many whole names from the offset as fit; a final extra NUL marks the end of the list.
    /// </summary>
    private XsError DirectoryPart(Connection conn, XsMessage msg, Transaction? tx)
    {
        var args = XsPayload.Strings(msg.Payload, 2);
        string? path = args is null ? null : PathArg(conn, args[0]);
        if (path is null)
            return XsError.EINVAL;
        var node = GetNode(conn, ViewOf(tx), path, XsPerm.Read, out var err);
        if (node is null)
            return err;
        byte[] children = XsPayload.Join(node.Children);
        int offset = XsPayload.Atoi(args![1]);
        byte[] gen = XsPayload.Terminated(node.Generation.ToString(CultureInfo.InvariantCulture));
        var reply = new List<byte>(gen);
        if (offset < 0 || offset >= children.Length)
        {
            reply.Add(0);
            Reply(conn, msg, reply.ToArray());
            return XsError.None;
        }
        int max = XsLimits.PayloadMax - gen.Length - 1;
        int len = 0;
        while (offset + len < children.Length)
        {
            int end = Array.IndexOf(children, (byte)0, offset + len);
            int item = end - (offset + len) + 1;
            if (len + item > max)
                break;
            len += item;
        }
        reply.AddRange(children.AsSpan(offset, len).ToArray());
        if (offset + len == children.Length)
            reply.Add(0);
        Reply(conn, msg, reply.ToArray());
        return XsError.None;
    }

    private XsError GetPerms(Connection conn, XsMessage msg, Transaction? tx)
    {
        string? path = PathArg(conn, XsPayload.OneArg(msg.Payload));
        if (path is null)
            return XsError.EINVAL;
        var node = GetNode(conn, ViewOf(tx), path, XsPerm.Read, out var err);
        if (node is null)
            return err;
        Reply(conn, msg, node.Perms.ToPayload());
        return XsError.None;
    }

    private XsError Write(Connection conn, XsMessage msg, Transaction? tx)
    {
        var pv = XsPayload.PathAndValue(msg.Payload);
        string? path = pv is null ? null : PathArg(conn, pv.Value.Path);
        if (path is null)
            return XsError.EINVAL;
        var err = WriteNode(conn, tx, path, pv!.Value.Value, createOnly: false);
        return err == XsError.None ? Ack(conn, msg) : err;
    }

    private XsError Mkdir(Connection conn, XsMessage msg, Transaction? tx)
    {
        string? path = PathArg(conn, XsPayload.OneArg(msg.Payload));
        if (path is null)
            return XsError.EINVAL;
        var err = WriteNode(conn, tx, path, [], createOnly: true);
        return err == XsError.None ? Ack(conn, msg) : err;
    }

    /// <summary>
    /// Writes a node, creating missing parents (each inheriting its parent's permissions, owned by the
    /// writer when unprivileged). With <paramref name="createOnly"/> an existing node is left alone.
    /// </summary>
    private XsError WriteNode(Connection conn, Transaction? tx, string path, byte[] value, bool createOnly)
    {
        var view = ViewOf(tx);
        var node = GetNode(conn, view, path, XsPerm.Write, out var err);
        if (node is not null)
        {
            if (createOnly)
                return XsError.None;
            if (Unprivileged(conn) && Quota.TooBig(Quota.NodeBytes(node.Perms.Entries.Length, value.Length, ChildBytes(node))))
                return XsError.ENOSPC;
            view.Put(path, value, node.Perms);
            Changed(tx, path, exact: false, node.Perms);
            return XsError.None;
        }
        if (err != XsError.ENOENT)
            return err;
        if (path == "/")
            return XsError.EINVAL;

        var missing = new List<string> { path };
        Node? parent;
        while ((parent = view.Get(XsPath.Parent(missing[^1]))) is null)
            missing.Add(XsPath.Parent(missing[^1]));
        if (Unprivileged(conn))
        {
            if (view.NodesOwnedBy(conn.DomId) + missing.Count > Quota.Nodes)
                return XsError.ENOSPC;
            if (Quota.TooBig(Quota.NodeBytes(parent.Perms.Entries.Length, value.Length, 0)))
                return XsError.ENOSPC;
            // The parent grows by the new child's name: it must still fit too.
            int grown = ChildBytes(parent) + Encoding.UTF8.GetByteCount(XsPath.BaseName(missing[^1])) + 1;
            if (Quota.TooBig(Quota.NodeBytes(parent.Perms.Entries.Length, parent.Value.Length, grown)))
                return XsError.ENOSPC;
            if (tx is not null && tx.View.AccessedCount + missing.Count > Quota.TransactionNodes)
                return XsError.ENOSPC;
        }
        var perms = Unprivileged(conn) ? parent.Perms.WithOwner(conn.DomId) : parent.Perms;
        for (int i = missing.Count - 1; i >= 0; i--)
            view.Put(missing[i], i == 0 ? value : [], perms);
        Changed(tx, path, exact: false, perms);
        return XsError.None;
    }

    private static int ChildBytes(Node node)
    {
        int n = 0;
        foreach (string c in node.Children)
            n += Encoding.UTF8.GetByteCount(c) + 1;
        return n;
    }

    private XsError Rm(Connection conn, XsMessage msg, Transaction? tx)
    {
        string? path = PathArg(conn, XsPayload.OneArg(msg.Payload));
        if (path is null)
            return XsError.EINVAL;
        var view = ViewOf(tx);
        var node = GetNode(conn, view, path, XsPerm.Write, out var err);
        if (node is null)
        {
            // Already gone is fine, if the parent exists.
            if (err == XsError.ENOENT && path != "/" && view.Get(XsPath.Parent(path)) is not null)
                return Ack(conn, msg);
            return err;
        }
        if (path == "/")
            return XsError.EINVAL;
        var removed = new List<string>();
        var perms = node.Perms;
        view.Delete(path, removed);
        if (tx is null)
        {
            foreach (string r in removed)
                FireWatches(r, exact: true, perms);
            FireWatches(path, exact: false, perms);
        }
        else
        {
            tx.Changed(path, exact: false, perms);
            foreach (string r in removed)
                tx.Changed(r, exact: true, perms);
        }
        return Ack(conn, msg);
    }

    private XsError SetPerms(Connection conn, XsMessage msg, Transaction? tx)
    {
        var args = XsPayload.Strings(msg.Payload, 2);
        string? path = args is null ? null : PathArg(conn, args[0], allowSpecial: true);
        if (path is null)
            return XsError.EINVAL;
        var entries = new XsPermEntry[args!.Count - 1];
        for (int i = 1; i < args.Count; i++)
        {
            var e = XsPermissions.ParseEntry(args[i]);
            if (e is null)
                return XsError.EINVAL;
            entries[i - 1] = e.Value;
        }
        if (Unprivileged(conn) && entries.Length > Quota.Permissions)
            return XsError.ENOSPC;
        var perms = new XsPermissions(entries);
        if (path[0] == '@')
        {
            if (!XsPath.IsSpecial(path))
                return XsError.ENOENT;
            if (!Allowed(conn, _specialPerms[path], XsPerm.Write))
                return XsError.EACCES;
            SetSpecialPermissions(path, perms);
            return Ack(conn, msg);
        }
        var view = ViewOf(tx);
        var node = GetNode(conn, view, path, XsPerm.Write, out var err);
        if (node is null)
            return err;
        if (Unprivileged(conn) && perms.Owner != node.Perms.Owner)
            return XsError.EPERM;
        view.Put(path, node.Value, perms);
        Changed(tx, path, exact: false, perms);
        return Ack(conn, msg);
    }
}
