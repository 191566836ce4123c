namespace Micro.XenStore.Store;

/// <summary>
/// The store as one request sees it: the committed tree, or a transaction's private view of it.
/// Put creates or updates one node (its parent must exist); Delete removes a whole subtree.
/// </summary>
public abstract class StoreView
{
    public abstract Node? Get(string path);

    public abstract void Put(string path, byte[] value, XsPermissions perms);

    /// <summary>Removes <paramref name="path"/> and everything below; lists the removed descendants (not the node itself).</summary>
    public abstract void Delete(string path, List<string> removedDescendants);

    /// <summary>How many nodes domain <paramref name="domid"/> owns in this view.</summary>
    public abstract int NodesOwnedBy(uint domid);
}
