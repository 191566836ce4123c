namespace Micro.XenStore.Store;

/// <summary>
/// Per-domain limits, enforced for unprivileged domains only (as the C daemon does), with Xen 4.17's
/// defaults (as `xenstore-control quota` prints them). Exceeding a limit is ENOSPC, or E2BIG for
/// watches. The boundaries are the C daemon's, checked against it by the conformance suite: a limit of
/// N watches or transactions lets the N+1st through, and a node (also a parent gaining a child) may
/// not reach node-size bytes.
/// </summary>
public sealed class Quota
{
    public int Nodes { get; set; } = 1000;
    public int Watches { get; set; } = 128;
    public int Transactions { get; set; } = 10;
    public int Outstanding { get; set; } = 20;
    public int TransactionNodes { get; set; } = 1024;
    public int NodeSize { get; set; } = 2048;
    public int PathMax { get; set; } = 2048;
    public int Permissions { get; set; } = 5;

    /// <summary>Sets one limit by its name in the C daemon's -Q option ("nodes=1000"); false if malformed.</summary>
    public bool TrySet(string assignment)
    {
        int eq = assignment.IndexOf('=', StringComparison.Ordinal);
        if (eq < 0 || !int.TryParse(assignment.AsSpan(eq + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) || n <= 0)
            return false;
        switch (assignment[..eq])
        {
            case "nodes": Nodes = n; break;
            case "watches": Watches = n; break;
            case "transactions": Transactions = n; break;
            case "outstanding": Outstanding = n; break;
            case "transaction-nodes": TransactionNodes = n; break;
            case "node-size": NodeSize = n; break;
            case "path-max": PathMax = n; break;
            case "permissions": Permissions = n; break;
            default: return false;
        }
        return true;
    }

    /// <summary>The CONTROL "quota" reply text, in the C daemon's format.</summary>
    public string Describe() =>
        "Quota settings:\n"
        + Line("nodes", Nodes, "Nodes per domain")
        + Line("watches", Watches, "Watches per domain")
        + Line("transactions", Transactions, "Transactions per domain")
        + Line("outstanding", Outstanding, "Outstanding requests per domain")
        + Line("transaction-nodes", TransactionNodes, "Max. number of accessed nodes per transaction")
        + Line("memory", 2621440, "Total Xenstore memory per domain (error level)")
        + Line("node-size", NodeSize, "Max. size of a node")
        + Line("path-max", PathMax, "Max. length of a node path")
        + Line("permissions", Permissions, "Max. number of permissions per node");

    private static string Line(string name, int value, string what) => $"{name,-17}: {value,8} {what}\n";

    /// <summary>
    /// The size the C daemon charges a node: its record header (24 bytes), 8 bytes per permission,
    /// the value and the child names with their NULs.
    /// </summary>
    public static int NodeBytes(int permissions, int valueLength, int childBytes) => 24 + 8 * permissions + valueLength + childBytes;

    /// <summary>True if a node of <paramref name="bytes"/> exceeds the node-size quota.</summary>
    public bool TooBig(int bytes) => bytes >= NodeSize; // at the limit is too big already, as in the C daemon
}
