namespace Micro.XenStore.Store;

/// <summary>
/// An open transaction: its private view and the nodes it changed, in first-change order, which are
/// the watch events it fires when it commits (exact for the removed descendants of an XS_RM).
/// </summary>
public sealed class Transaction
{
    private readonly HashSet<string> _changedPaths = new(StringComparer.Ordinal);

    public Transaction(uint id, Tree tree)
    {
        Id = id;
        View = new TransactionView(tree);
    }

    public uint Id { get; }
    public TransactionView View { get; }
    public List<(string Path, bool Exact, XsPermissions Perms)> Changes { get; } = [];

    public void Changed(string path, bool exact, XsPermissions perms)
    {
        if (_changedPaths.Add(path))
            Changes.Add((path, exact, perms));
    }
}
