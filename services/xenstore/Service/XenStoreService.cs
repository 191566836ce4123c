using Micro.XenStore.Connections;
using Micro.XenStore.Domains;
using Micro.XenStore.Persistence;
using Micro.XenStore.Store;
using Micro.XenStore.Watches;
using Micro.XenStore.Wire;

namespace Micro.XenStore.Service;

/// <summary>
/// xenstored's request processor: takes one decoded request from a connection and queues the reply
/// and any watch events (events first, as the C daemon sends them). Not thread-safe: one event loop
/// calls it, as in the C daemon. Every input is untrusted; malformed requests get a Xen error.
/// </summary>
public sealed partial class XenStoreService
{
    private readonly List<Connection> _connections = [];
    private readonly Dictionary<uint, Domain> _domains = [];
    private readonly Dictionary<string, XsPermissions> _specialPerms = new(StringComparer.Ordinal);

    public XenStoreService(Tree? tree = null, Quota? quota = null)
    {
        Tree = tree ?? new Tree();
        Quota = quota ?? new Quota();
        _domains[0] = new Domain(0, 0, 1);
        _specialPerms[XsPath.IntroduceDomain] = XsPermissions.Dom0Only;
        _specialPerms[XsPath.ReleaseDomain] = XsPermissions.Dom0Only;
    }

    public Tree Tree { get; }
    public Quota Quota { get; }
    public IReadOnlyList<Connection> Connections => _connections;
    public IReadOnlyDictionary<uint, Domain> Domains => _domains;

    /// <summary>Called when a domain is introduced (to attach its ring) or released (to detach it).</summary>
    public Action<Domain>? DomainIntroduced { get; set; }
    public Action<Domain>? DomainReleased { get; set; }

    /// <summary>Where changes are made durable (null: in memory only).</summary>
    public PersistentState? State { get; set; }

    public void Add(Connection conn) => _connections.Add(conn);

    /// <summary>Forgets a connection: its transactions are abandoned and its watches dropped.</summary>
    public void Remove(Connection conn)
    {
        _connections.Remove(conn);
        conn.Transactions.Clear();
        conn.Close();
    }

    /// <summary>
    /// Drops a connection its transport gave up on (a broken or reset ring): its watches and open
    /// transactions go with it, durably.
    /// </summary>
    public void Disconnect(Connection conn)
    {
        conn.Watches.Clear();
        WatchesChanged(conn);
        Remove(conn);
    }

    public void Handle(Connection conn, XsMessage msg)
    {
        var type = (XsMessageType)msg.Type;
        Transaction? tx = null;
        if (msg.TxId != 0 && !IgnoresTransaction(type) && !conn.Transactions.TryGetValue(msg.TxId, out tx))
        {
            // A transaction a guest opened before the daemon restarted is gone: it must retry.
            Error(conn, msg, msg.TxId < conn.RestoredTransactionLimit ? XsError.EAGAIN : XsError.ENOENT);
            return;
        }
        XsError err = Dispatch(conn, msg, type, tx);
        if (err != XsError.None)
            Error(conn, msg, err);
    }

    // The C daemon does not look up the transaction of these requests.
    private static bool IgnoresTransaction(XsMessageType type) => type is XsMessageType.XS_WATCH or XsMessageType.XS_UNWATCH
        or XsMessageType.XS_INTRODUCE or XsMessageType.XS_RELEASE or XsMessageType.XS_IS_DOMAIN_INTRODUCED
        or XsMessageType.XS_RESUME or XsMessageType.XS_SET_TARGET or XsMessageType.XS_RESET_WATCHES or XsMessageType.XS_CONTROL;

    private XsError Dispatch(Connection conn, XsMessage msg, XsMessageType type, Transaction? tx) => type switch
    {
        XsMessageType.XS_CONTROL => Control(conn, msg),
        XsMessageType.XS_DIRECTORY => Directory(conn, msg, tx),
        XsMessageType.XS_DIRECTORY_PART => DirectoryPart(conn, msg, tx),
        XsMessageType.XS_READ => Read(conn, msg, tx),
        XsMessageType.XS_GET_PERMS => GetPerms(conn, msg, tx),
        XsMessageType.XS_WRITE => Write(conn, msg, tx),
        XsMessageType.XS_MKDIR => Mkdir(conn, msg, tx),
        XsMessageType.XS_RM => Rm(conn, msg, tx),
        XsMessageType.XS_SET_PERMS => SetPerms(conn, msg, tx),
        XsMessageType.XS_WATCH => AddWatch(conn, msg),
        XsMessageType.XS_UNWATCH => RemoveWatch(conn, msg),
        XsMessageType.XS_RESET_WATCHES => ResetWatches(conn, msg),
        XsMessageType.XS_TRANSACTION_START => TransactionStart(conn, msg, tx),
        XsMessageType.XS_TRANSACTION_END => TransactionEnd(conn, msg, tx),
        XsMessageType.XS_INTRODUCE => Introduce(conn, msg),
        XsMessageType.XS_RELEASE => Release(conn, msg),
        XsMessageType.XS_GET_DOMAIN_PATH => GetDomainPath(conn, msg),
        XsMessageType.XS_IS_DOMAIN_INTRODUCED => IsDomainIntroduced(conn, msg),
        XsMessageType.XS_RESUME => Resume(conn, msg),
        XsMessageType.XS_SET_TARGET => SetTarget(conn, msg),
        _ => XsError.ENOSYS,
    };

    private static readonly byte[] s_ok = "OK\0"u8.ToArray();

    private static void Reply(Connection conn, XsMessage msg, ReadOnlySpan<byte> payload)
        => conn.Enqueue((XsMessageType)msg.Type, msg.ReqId, msg.TxId, payload);

    private static XsError Ack(Connection conn, XsMessage msg)
    {
        Reply(conn, msg, s_ok);
        return XsError.None;
    }

    private static readonly byte[][] s_errorPayloads = Enum.GetValues<XsError>().Select(e => XsPayload.Terminated(e.ToString())).ToArray();

    private static void Error(Connection conn, XsMessage msg, XsError err)
        => conn.Enqueue(XsMessageType.XS_ERROR, msg.ReqId, msg.TxId, s_errorPayloads[(int)err]);

    private StoreView ViewOf(Transaction? tx) => tx is null ? Tree : tx.View;

    private static bool Unprivileged(Connection conn) => !conn.Privileged;

    private static bool Allowed(Connection conn, XsPermissions perms, XsPerm want)
        => conn.Privileged || (perms.For(conn.DomId, conn.Target) & want) == want;

    /// <summary>
    /// The node at <paramref name="path"/> if the connection may <paramref name="want"/> it. A missing
    /// node is ENOENT, or EACCES if the nearest existing ancestor is not accessible the same way.
    /// </summary>
    private static Node? GetNode(Connection conn, StoreView view, string path, XsPerm want, out XsError err)
    {
        var node = view.Get(path);
        if (node is null)
        {
            err = XsError.ENOENT;
            var ancestor = NearestAncestor(view, path);
            if (ancestor is not null && !Allowed(conn, ancestor.Perms, want))
                err = XsError.EACCES;
            return null;
        }
        if (!Allowed(conn, node.Perms, want))
        {
            err = XsError.EACCES;
            return null;
        }
        err = XsError.None;
        return node;
    }

    private static Node? NearestAncestor(StoreView view, string path)
    {
        while (path != "/")
        {
            path = XsPath.Parent(path);
            var node = view.Get(path);
            if (node is not null)
                return node;
        }
        return null;
    }

    /// <summary>Queues a watch event for every watch covering <paramref name="path"/> that may see it.</summary>
    private void FireWatches(string path, bool exact, XsPermissions perms)
    {
        foreach (var conn in _connections)
        {
            if (conn.Watches.Count == 0 || !Allowed(conn, perms, XsPerm.Read))
                continue;
            foreach (var watch in conn.Watches)
            {
                bool match = exact ? watch.Path == path : XsPath.IsAtOrBelow(path, watch.Path);
                if (match)
                    SendEvent(conn, watch, path);
            }
        }
    }

    private static void SendEvent(Connection conn, Watch watch, string path)
    {
        string name = path;
        if (watch.Relative)
        {
            string prefix = XsPath.DomainPath(conn.DomId) + "/";
            if (name.StartsWith(prefix, StringComparison.Ordinal))
                name = name[prefix.Length..];
        }
        byte[] payload = XsPayload.Join([name, watch.Token]);
        // A long token on a deep path could exceed the protocol's limit: such events are dropped, as the C daemon does.
        if (payload.Length <= XsLimits.PayloadMax)
            conn.Enqueue(XsMessageType.XS_WATCH_EVENT, 0, 0, payload);
    }

    /// <summary>A change: fired now, or recorded to fire when the transaction commits.</summary>
    private void Changed(Transaction? tx, string path, bool exact, XsPermissions perms)
    {
        if (tx is null)
            FireWatches(path, exact, perms);
        else
            tx.Changed(path, exact, perms);
    }
}
