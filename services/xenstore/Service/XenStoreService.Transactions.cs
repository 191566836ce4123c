using System.Globalization;
using Micro.XenStore.Connections;
using Micro.XenStore.Store;
using Micro.XenStore.Wire;

namespace Micro.XenStore.Service;

/// <summary>Transaction requests. Ids count up per connection from 1, as in the C daemon.</summary>
public sealed partial class XenStoreService
{
    private XsError TransactionStart(Connection conn, XsMessage msg, Transaction? tx)
    {
        if (tx is not null)
            return XsError.EBUSY;
        if (Unprivileged(conn) && conn.Transactions.Count > Quota.Transactions) // one more than the quota, as in the C daemon
            return XsError.ENOSPC;
        uint id = conn.NextTransactionId;
        while (id == 0 || conn.Transactions.ContainsKey(id))
            id++;
        conn.NextTransactionId = id + 1;
        if (conn.Persistent)
            State?.RecordDomainTransactionId(conn.DomId, conn.NextTransactionId);
        conn.Transactions[id] = new Transaction(id, Tree);
        Reply(conn, msg, XsPayload.Terminated(id.ToString(CultureInfo.InvariantCulture)));
        return XsError.None;
    }

    private XsError TransactionEnd(Connection conn, XsMessage msg, Transaction? tx)
    {
        if (tx is null)
            return XsError.ENOENT;
        string? arg = XsPayload.OneArg(msg.Payload);
        if (arg is not ("T" or "F"))
            return XsError.EINVAL;
        conn.Transactions.Remove(tx.Id);
        if (arg == "F")
            return Ack(conn, msg);
        if (!tx.View.CanCommit())
            return XsError.EAGAIN;
        tx.View.Apply();
        foreach (var (path, exact, perms) in tx.Changes)
        {
            // A node created and removed again inside the transaction never existed for anyone else.
            if (tx.View.WasAbsentAtStart(path) && Tree.Get(path) is null)
                continue;
            FireWatches(path, exact, perms);
        }
        return Ack(conn, msg);
    }
}
