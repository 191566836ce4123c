using System.Globalization;
using System.Text;
using Micro.XenStore.Wire;

namespace Micro.XenStore.Client;

/// <summary>
/// Transactions. A commit that conflicts with a change made since the transaction started ends with
/// EAGAIN and must be retried from the start; <see cref="Transaction{T}"/> does that.
/// </summary>
public sealed partial class XenStoreClient
{
    public uint TransactionStart()
    {
        string id = Encoding.ASCII.GetString(Request(XsMessageType.XS_TRANSACTION_START, [0])).TrimEnd('\0');
        if (!uint.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out uint tx) || tx == 0)
            throw new IOException($"xenstored sent a malformed transaction id '{id}'");
        return tx;
    }

    /// <summary>Commits (or aborts) the transaction; false if the commit conflicted (EAGAIN).</summary>
    public bool TransactionEnd(uint tx, bool commit = true)
    {
        try
        {
            Request(XsMessageType.XS_TRANSACTION_END, commit ? "T\0"u8 : "F\0"u8, tx);
            return true;
        }
        catch (XenStoreException e) when (e.Error == XsError.EAGAIN)
        {
            return false;
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/> in a transaction and commits it, starting over while the daemon
    /// answers EAGAIN (a conflicting change, or a transaction lost to a daemon restart), at most
    /// <paramref name="maxAttempts"/> times. If the body throws anything else the transaction is aborted.
    /// </summary>
    public T Transaction<T>(Func<uint, T> body, int maxAttempts = 64)
    {
        for (int attempt = 1; ; attempt++)
        {
            uint tx = TransactionStart();
            T result;
            try
            {
                result = body(tx);
            }
            catch (XenStoreException e) when (e.Error == XsError.EAGAIN && attempt < maxAttempts)
            {
                Abort(tx);
                continue;
            }
            catch
            {
                Abort(tx);
                throw;
            }
            if (TransactionEnd(tx))
                return result;
            if (attempt >= maxAttempts)
                throw new XenStoreException(XsError.EAGAIN, $"XS_TRANSACTION_END after {attempt} attempts");
        }
    }

    public void Transaction(Action<uint> body, int maxAttempts = 64)
        => Transaction(tx =>
        {
            body(tx);
            return 0;
        }, maxAttempts);

    // Aborting a transaction the daemon already forgot (ENOENT/EAGAIN) is harmless.
    private void Abort(uint tx)
    {
        try
        {
            TransactionEnd(tx, commit: false);
        }
        catch (XenStoreException)
        {
            // already gone
        }
    }
}
