namespace Micro.XenStore.Store;

/// <summary>
/// One node of the store: value, permissions, children in insertion order (as the C daemon lists
/// them) and the generation of its last change, which transactions compare to detect conflicts.
/// </summary>
public sealed class Node
{
    public Node(string path, byte[] value, XsPermissions perms, List<string> children, long generation)
    {
        Path = path;
        Value = value;
        Perms = perms;
        Children = children;
        Generation = generation;
    }

    public string Path { get; }
    public byte[] Value { get; set; }
    public XsPermissions Perms { get; set; }
    public List<string> Children { get; }
    public long Generation { get; set; }

    /// <summary>A copy a transaction may change without touching the committed node.</summary>
    public Node Clone() => new(Path, Value, Perms, new List<string>(Children), Generation);
}
