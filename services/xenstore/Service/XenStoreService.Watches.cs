using Micro.XenStore.Connections;
using Micro.XenStore.Store;
using Micro.XenStore.Watches;
using Micro.XenStore.Wire;

namespace Micro.XenStore.Service;

/// <summary>Watch requests. A new watch fires once at once (after the reply), as in the C daemon.</summary>
public sealed partial class XenStoreService
{
    private XsError AddWatch(Connection conn, XsMessage msg)
    {
        var args = XsPayload.Strings(msg.Payload, 2);
        if (args is null || args.Count != 2)
            return XsError.EINVAL;
        string? path = PathArg(conn, args[0], allowSpecial: true);
        if (path is null)
            return XsError.EINVAL;
        string token = args[1];
        foreach (var w in conn.Watches)
        {
            if (w.Path == path && w.Token == token)
                return XsError.EEXIST;
        }
        if (Unprivileged(conn) && WatchesOf(conn.DomId) > Quota.Watches) // one more than the quota, as in the C daemon
            return XsError.E2BIG;
        var watch = new Watch(path, token, Relative: args[0].Length > 0 && args[0][0] != '/' && args[0][0] != '@');
        conn.Watches.Add(watch);
        WatchesChanged(conn);
        Ack(conn, msg);
        SendEvent(conn, watch, path);
        return XsError.None;
    }

    private int WatchesOf(uint domid)
    {
        int n = 0;
        foreach (var c in _connections)
        {
            if (c.DomId == domid)
                n += c.Watches.Count;
        }
        return n;
    }

    private XsError RemoveWatch(Connection conn, XsMessage msg)
    {
        var args = XsPayload.Strings(msg.Payload, 2);
        if (args is null || args.Count != 2)
            return XsError.EINVAL;
        string? path = PathArg(conn, args[0], allowSpecial: true);
        if (path is null)
            return XsError.EINVAL;
        int i = conn.Watches.FindIndex(w => w.Path == path && w.Token == args[1]);
        if (i < 0)
            return XsError.ENOENT;
        conn.Watches.RemoveAt(i);
        WatchesChanged(conn);
        return Ack(conn, msg);
    }

    /// <summary>XS_RESET_WATCHES drops the connection's watches and its open transactions.</summary>
    private XsError ResetWatches(Connection conn, XsMessage msg)
    {
        conn.Watches.Clear();
        conn.Transactions.Clear();
        WatchesChanged(conn);
        return Ack(conn, msg);
    }

    // Guests' watches outlive a daemon restart, so they are state too.
    private void WatchesChanged(Connection conn)
    {
        if (conn.Persistent)
            State?.RecordDomainWatches(conn.DomId, conn.Watches.ToArray());
    }

    /// <summary>Fires a special watch (@introduceDomain, @releaseDomain) for those allowed to see it.</summary>
    private void FireSpecial(string name) => FireWatches(name, exact: true, _specialPerms[name]);

    /// <summary>Restores a watch (after a restart) without the initial event.</summary>
    public void RestoreWatch(Connection conn, Watch watch) => conn.Watches.Add(watch);

    /// <summary>Wakes a restored watch: clients may have missed changes while the daemon was down.</summary>
    public static void FireRestored(Connection conn)
    {
        foreach (var w in conn.Watches)
            SendEvent(conn, w, w.Path);
    }

    /// <summary>The committed permissions of a special node (for snapshots).</summary>
    public IReadOnlyDictionary<string, XsPermissions> SpecialPermissions => _specialPerms;

    public void SetSpecialPermissions(string name, XsPermissions perms)
    {
        _specialPerms[name] = perms;
        State?.RecordSpecialPerms(name, perms);
    }
}
