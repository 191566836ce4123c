namespace Micro.XenStore.Store;

/// <summary>
/// A transaction's private view: changed nodes live in an overlay (null marks a removed node), every
/// node read from the committed tree is remembered with the generation it had, and the changes are
/// kept as a list of operations. Commit fails (EAGAIN) if any remembered node has changed since —
/// the C daemon's rule — and otherwise replays the operations on the tree.
/// </summary>
public sealed class TransactionView : StoreView
{
    private const long Absent = -1;
    private readonly Tree _tree;
    private readonly Dictionary<string, Node?> _overlay = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _accessed = new(StringComparer.Ordinal);
    private readonly List<(string Path, byte[]? Value, XsPermissions? Perms)> _ops = [];
    private readonly Dictionary<uint, int> _ownedDelta = [];

    public TransactionView(Tree tree)
    {
        _tree = tree;
    }

    /// <summary>How many committed nodes this transaction has looked at.</summary>
    public int AccessedCount => _accessed.Count;

    public override Node? Get(string path)
    {
        if (_overlay.TryGetValue(path, out var mine))
            return mine;
        var node = _tree.Get(path);
        _accessed.TryAdd(path, node?.Generation ?? Absent);
        return node;
    }

    public override int NodesOwnedBy(uint domid) => _tree.NodesOwnedBy(domid) + _ownedDelta.GetValueOrDefault(domid);

    /// <summary>True if the node did not exist when this transaction first looked at it.</summary>
    public bool WasAbsentAtStart(string path) => _accessed.TryGetValue(path, out long g) && g == Absent;

    private Node? Writable(string path)
    {
        var node = Get(path);
        if (node is null || (_overlay.TryGetValue(path, out var mine) && mine is not null))
            return node;
        var copy = node.Clone();
        _overlay[path] = copy;
        return copy;
    }

    public override void Put(string path, byte[] value, XsPermissions perms)
    {
        var node = Writable(path);
        if (node is not null)
        {
            Count(node.Perms.Owner, -1);
            node.Value = value;
            node.Perms = perms;
        }
        else
        {
            Writable(XsPath.Parent(path))!.Children.Add(XsPath.BaseName(path));
            _overlay[path] = new Node(path, value, perms, [], 0);
        }
        Count(perms.Owner, +1);
        _ops.Add((path, value, perms));
    }

    public override void Delete(string path, List<string> removedDescendants)
    {
        Writable(XsPath.Parent(path))!.Children.Remove(XsPath.BaseName(path));
        RemoveSubtree(Get(path)!, removedDescendants, isRoot: true);
        _ops.Add((path, null, null));
    }

    // Pre-order: inside a transaction the C daemon records removed descendants parents first.
    private void RemoveSubtree(Node node, List<string> removed, bool isRoot)
    {
        _overlay[node.Path] = null;
        Count(node.Perms.Owner, -1);
        if (!isRoot)
            removed.Add(node.Path);
        foreach (string child in node.Children)
        {
            var c = Get(XsPath.Child(node.Path, child));
            if (c is not null)
                RemoveSubtree(c, removed, isRoot: false);
        }
    }

    private void Count(uint domid, int delta) => _ownedDelta[domid] = _ownedDelta.GetValueOrDefault(domid) + delta;

    /// <summary>True if nothing this transaction read has changed in the tree since.</summary>
    public bool CanCommit()
    {
        foreach (var (path, generation) in _accessed)
        {
            if ((_tree.Get(path)?.Generation ?? Absent) != generation)
                return false;
        }
        return true;
    }

    /// <summary>Applies the transaction's operations to the tree (after <see cref="CanCommit"/>).</summary>
    public void Apply()
    {
        var scratch = new List<string>();
        foreach (var (path, value, perms) in _ops)
        {
            if (value is not null)
            {
                _tree.Put(path, value, perms!);
            }
            else if (_tree.Get(path) is not null)
            {
                scratch.Clear();
                _tree.Delete(path, scratch);
            }
        }
    }
}
