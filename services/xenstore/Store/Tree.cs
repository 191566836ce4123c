namespace Micro.XenStore.Store;

/// <summary>
/// The committed store: nodes by absolute path, a global generation counter bumped by every change
/// (a node's and, when children change, its parent's), and per-domain counts of owned nodes for quotas.
/// </summary>
public sealed class Tree : StoreView
{
    private readonly Dictionary<string, Node> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<uint, int> _owned = [];
    private long _generation;

    /// <summary>
    /// The tree the C daemon starts with: /, /tool and /tool/xenstored, all "n0"; or, to be filled from
    /// saved state, only the root.
    /// </summary>
    public Tree(bool initialNodes = true)
    {
        _nodes["/"] = new Node("/", [], XsPermissions.Dom0Only, [], ++_generation);
        Count(0, +1);
        if (initialNodes)
        {
            Put("/tool", [], XsPermissions.Dom0Only);
            Put("/tool/xenstored", [], XsPermissions.Dom0Only);
        }
    }

    public StoreJournal? Journal { get; set; }

    public int NodeCount => _nodes.Count;

    public override Node? Get(string path) => _nodes.GetValueOrDefault(path);

    public override int NodesOwnedBy(uint domid) => _owned.GetValueOrDefault(domid);

    public override void Put(string path, byte[] value, XsPermissions perms)
    {
        if (_nodes.TryGetValue(path, out var node))
        {
            if (node.Perms.Owner != perms.Owner)
            {
                Count(node.Perms.Owner, -1);
                Count(perms.Owner, +1);
            }
            node.Value = value;
            node.Perms = perms;
            node.Generation = ++_generation;
        }
        else
        {
            var parent = _nodes[XsPath.Parent(path)];
            parent.Children.Add(XsPath.BaseName(path));
            parent.Generation = ++_generation;
            _nodes[path] = new Node(path, value, perms, [], ++_generation);
            Count(perms.Owner, +1);
        }
        Journal?.RecordPut(path, value, perms);
    }

    public override void Delete(string path, List<string> removedDescendants)
    {
        var node = _nodes[path];
        var parent = _nodes[XsPath.Parent(path)];
        parent.Children.Remove(XsPath.BaseName(path));
        parent.Generation = ++_generation;
        RemoveSubtree(node, removedDescendants, isRoot: true);
        Journal?.RecordDelete(path);
    }

    // Post-order: the C daemon fires the exact watches of a removed subtree deepest first.
    private void RemoveSubtree(Node node, List<string> removed, bool isRoot)
    {
        foreach (string child in node.Children)
        {
            if (_nodes.TryGetValue(XsPath.Child(node.Path, child), out var c))
                RemoveSubtree(c, removed, isRoot: false);
        }
        _nodes.Remove(node.Path);
        Count(node.Perms.Owner, -1);
        if (!isRoot)
            removed.Add(node.Path);
    }

    private void Count(uint domid, int delta)
    {
        int n = _owned.GetValueOrDefault(domid) + delta;
        if (n == 0)
            _owned.Remove(domid);
        else
            _owned[domid] = n;
    }

    /// <summary>Every node, parents before children and children in order (for snapshots and tree walks).</summary>
    public IEnumerable<Node> PreOrder()
    {
        var stack = new Stack<Node>();
        stack.Push(_nodes["/"]);
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            yield return node;
            for (int i = node.Children.Count - 1; i >= 0; i--)
            {
                if (_nodes.TryGetValue(XsPath.Child(node.Path, node.Children[i]), out var c))
                    stack.Push(c);
            }
        }
    }
}
