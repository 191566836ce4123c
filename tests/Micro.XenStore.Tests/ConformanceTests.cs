using Micro.XenStore.Wire;
using static Micro.XenStore.Tests.Step;
using static Micro.XenStore.Wire.XsMessageType;

namespace Micro.XenStore.Tests;

/// <summary>
/// The same raw requests to Xen 4.17's C xenstored and to ours: replies, watch events, error strings
/// and final trees must be identical, byte for byte (DIRECTORY_PART's generation number aside).
/// </summary>
public sealed class ConformanceTests
{
    [Fact]
    public void Nodes_read_write_mkdir_rm_directory()
    {
        Conformance.AssertSame([
            On(0, XS_DIRECTORY, "/\0"),
            On(0, XS_WRITE, "/a/b/c\0hello"),
            On(0, XS_WRITE, "/a/b/d\0"),
            On(0, XS_WRITE, "/a/e\0x\0y"),
            On(0, XS_READ, "/a/b/c\0"),
            On(0, XS_READ, "/a/e\0"),
            On(0, XS_READ, "/a\0"),
            On(0, XS_DIRECTORY, "/a\0"),
            On(0, XS_DIRECTORY, "/a/b\0"),
            On(0, XS_DIRECTORY, "/nope\0"),
            On(0, XS_READ, "/nope\0"),
            On(0, XS_READ, "/a/nope/deeper\0"),
            On(0, XS_MKDIR, "/a\0"),
            On(0, XS_MKDIR, "/m/n\0"),
            On(0, XS_RM, "/a/b\0"),
            On(0, XS_RM, "/a/b\0"),
            On(0, XS_RM, "/q/r\0"),
            On(0, XS_RM, "/\0"),
            On(0, XS_WRITE, "rel/x\0v"),
            On(0, XS_READ, "rel/x\0"),
            On(0, XS_READ, "/local/domain/0/rel/x\0"),
            On(0, XS_WRITE, "/z\0"),
            On(0, XS_WRITE, "/a/f\0new"),
            On(0, XS_DIRECTORY, "/a\0"),
            On(0, XS_DIRECTORY, "/\0"),
        ]);
    }

    [Fact]
    public void Invalid_paths_and_arguments()
    {
        Conformance.AssertSame([
            On(0, XS_WRITE, "/x/\0v"),
            On(0, XS_WRITE, "/x//y\0v"),
            On(0, XS_WRITE, "/x y\0v"),
            On(0, XS_WRITE, "/x*\0v"),
            On(0, XS_WRITE, "@x\0v"),
            On(0, XS_WRITE, "\0v"),
            On(0, XS_WRITE, "/" + new string('a', 2047) + "\0v"),
            On(0, XS_WRITE, "/" + new string('a', 2048) + "\0v"),
            On(0, XS_WRITE, "/local/domain/5/" + new string('a', 2048) + "\0v"),
            On(0, XS_WRITE, "/local/domain/5/" + new string('a', 2049) + "\0v"),
            On(0, XS_WRITE, "/local/domain/123456/" + new string('a', 2048) + "\0v"),
            On(0, XS_READ, "\0"),
            On(0, XS_READ, "/a\0extra\0"),
            On(0, XS_DIRECTORY, "\0"),
            On(0, XS_GET_PERMS, "@releaseDomain\0"),
            On(0, XS_GET_PERMS, "@other\0"),
            On(0, XS_SET_PERMS, "/tool\0"),
            On(0, XS_SET_PERMS, "/tool\0x5\0"),
            On(0, XS_SET_PERMS, "/tool\0r\0"),
            On(0, XS_SET_PERMS, "/nope\0r5\0"),
            On(0, XS_WATCH, "/q\0"),
            On(0, XS_WATCH, "/q\0t\0extra\0"),
            On(0, XS_WATCH, "/q/\0t\0"),
            On(0, XS_UNWATCH, "/q\0t\0"),
            On(0, (XsMessageType)99, "x\0"),
            On(0, (XsMessageType)20, "x\0"),
            On(0, XS_WATCH_EVENT, "x\0"),
            On(0, XS_ERROR, "x\0"),
            On(0, XS_DIRECTORY_PART, "/\0"),
        ]);
    }

    [Fact]
    public void Permissions()
    {
        Conformance.AssertSame([
            On(0, XS_WRITE, "/p/q\0v"),
            On(0, XS_GET_PERMS, "/p\0"),
            On(0, XS_SET_PERMS, "/p\0n0\0r5\0"),
            On(0, XS_GET_PERMS, "/p\0"),
            On(0, XS_WRITE, "/p/new/deeper\0v"),
            On(0, XS_GET_PERMS, "/p/new\0"),
            On(0, XS_GET_PERMS, "/p/new/deeper\0"),
            On(0, XS_GET_PERMS, "/p/q\0"),
            On(0, XS_SET_PERMS, "/p/q\0b3\0w4\0n5\0r6\0r7\0r8\0r9\0"),
            On(0, XS_GET_PERMS, "/p/q\0"),
            On(0, XS_SET_PERMS, "/p/q\0r65535\0"),
            On(0, XS_GET_PERMS, "/p/q\0"),
            On(0, XS_SET_PERMS, "@releaseDomain\0r3\0"),
            On(0, XS_SET_PERMS, "@introduceDomain\0n0\0r4\0"),
            On(0, XS_SET_PERMS, "@other\0r3\0"),
        ]);
    }

    [Fact]
    public void Watches_fire_in_the_reference_order()
    {
        Conformance.AssertSame([
            On(0, XS_WRITE, "/a/b/c\0x"),
            On(0, XS_WRITE, "/a/e\0x"),
            On(0, XS_WATCH, "/a/b/c\0w1\0"),
            On(1, XS_WATCH, "/a/b\0w2\0"),
            On(0, XS_WATCH, "/a/e\0w3\0"),
            On(1, XS_WATCH, "/a\0w4\0"),
            On(0, XS_WATCH, "/\0w5\0"),
            On(0, XS_WATCH, "/a/b/c/z\0w6\0"),
            On(0, XS_WATCH, "/a\0w4\0"),
            On(1, XS_WATCH, "/a\0w4\0"),
            On(0, XS_WATCH, "rel\0wr\0"),
            On(0, XS_WATCH, "@introduceDomain\0wi\0"),
            On(1, XS_WATCH, "@releaseDomain\0wr\0"),
            On(0, XS_WRITE, "/a/b/c\0y"),
            On(0, XS_WRITE, "rel/x\0y"),
            On(0, XS_MKDIR, "/a/b/c\0"),
            On(0, XS_MKDIR, "/a/g\0"),
            On(0, XS_SET_PERMS, "/a/e\0r1\0"),
            On(1, XS_RM, "/a\0"),
            On(0, XS_UNWATCH, "/a\0w4\0"),
            On(0, XS_UNWATCH, "/a\0w4\0"),
            On(0, XS_UNWATCH, "rel\0wr\0"),
            On(0, XS_UNWATCH, "/local/domain/0/rel\0wr\0"),
            On(0, XS_WRITE, "/a/b\0z"),
            On(1, XS_RESET_WATCHES, ""),
            On(0, XS_WRITE, "/a/b\0zz"),
        ], connections: 2);
    }

    [Fact]
    public void Transactions_commit_abort_and_conflict()
    {
        Conformance.AssertSame([
            On(0, XS_WATCH, "/\0all\0"),
            On(0, XS_WRITE, "/a/b/c\0x"),
            On(0, XS_WRITE, "/a/e\0x"),
            On(0, XS_TRANSACTION_START, "\0"),
            On(0, XS_TRANSACTION_START, "\0", 1),
            On(0, XS_WRITE, "/p/q\0x", 1),
            On(0, XS_WRITE, "/p\0y", 1),
            On(0, XS_WRITE, "/r\0y", 1),
            On(0, XS_RM, "/r\0", 1),
            On(0, XS_READ, "/p/q\0", 1),
            On(0, XS_READ, "/p/q\0"),
            On(0, XS_DIRECTORY, "/\0", 1),
            On(0, XS_RM, "/a\0", 1),
            On(0, XS_READ, "/a/e\0", 1),
            On(0, XS_READ, "/a/e\0"),
            On(0, XS_TRANSACTION_END, "T\0", 1),
            On(0, XS_DIRECTORY, "/\0"),
            On(1, XS_TRANSACTION_START, "\0"),
            On(1, XS_READ, "/p\0", 1),
            On(0, XS_WRITE, "/p\0changed"),
            On(1, XS_WRITE, "/other\0v", 1),
            On(1, XS_TRANSACTION_END, "T\0", 1),
            On(1, XS_READ, "/other\0"),
            On(1, XS_TRANSACTION_START, "\0"),
            On(1, XS_READ, "/absent\0", 2),
            On(0, XS_WRITE, "/absent\0now"),
            On(1, XS_TRANSACTION_END, "T\0", 2),
            On(1, XS_TRANSACTION_START, "\0"),
            On(1, XS_WRITE, "/k\0v", 3),
            On(1, XS_TRANSACTION_END, "X\0", 3),
            On(1, XS_TRANSACTION_END, "F\0", 3),
            On(1, XS_TRANSACTION_END, "F\0", 3),
            On(1, XS_READ, "/k\0"),
            On(1, XS_READ, "/k\0", 9),
            On(1, XS_TRANSACTION_END, "T\0"),
            On(1, XS_GET_DOMAIN_PATH, "5\0", 9),
            On(1, XS_WATCH, "/w\0t\0", 9),
            On(1, XS_TRANSACTION_START, "\0"),
            On(1, XS_TRANSACTION_START, "\0"),
            On(1, XS_RESET_WATCHES, ""),
            On(1, XS_READ, "/p\0", 4),
            On(0, XS_TRANSACTION_START, "\0"),
            On(0, XS_RM, "/k\0", 2),
            On(0, XS_WRITE, "/k\0again", 2),
            On(0, XS_TRANSACTION_END, "T\0", 2),
        ], connections: 2);
    }

    /// <summary>Which outside changes make a commit fail with EAGAIN: exactly the C daemon's decisions.</summary>
    [Fact]
    public void Transaction_conflicts_are_decided_like_the_reference()
    {
        Conformance.AssertSame([
            On(0, XS_WRITE, "/t/a\0x"),
            On(0, XS_WRITE, "/t/b\0x"),
            On(0, XS_WRITE, "/u\0x"),
            // 1: read a node, another client writes an unrelated one: commits.
            On(0, XS_TRANSACTION_START, "\0"),
            On(0, XS_READ, "/t/a\0", 1),
            On(1, XS_WRITE, "/u\0y"),
            On(0, XS_TRANSACTION_END, "T\0", 1),
            // 2: listed a directory, a child is added outside.
            On(0, XS_TRANSACTION_START, "\0"),
            On(0, XS_DIRECTORY, "/t\0", 2),
            On(1, XS_WRITE, "/t/c\0x"),
            On(0, XS_WRITE, "/u\0z", 2),
            On(0, XS_TRANSACTION_END, "T\0", 2),
            // 3: write-write on the same node.
            On(0, XS_TRANSACTION_START, "\0"),
            On(0, XS_WRITE, "/t/a\0mine", 3),
            On(1, XS_WRITE, "/t/a\0theirs"),
            On(0, XS_TRANSACTION_END, "T\0", 3),
            On(0, XS_READ, "/t/a\0"),
            // 4: created a child (touching its parent), a sibling changes outside.
            On(0, XS_TRANSACTION_START, "\0"),
            On(0, XS_WRITE, "/t/new\0n", 4),
            On(1, XS_WRITE, "/t/b\0changed"),
            On(0, XS_TRANSACTION_END, "T\0", 4),
            // 5: only permissions read, then changed outside.
            On(0, XS_TRANSACTION_START, "\0"),
            On(0, XS_GET_PERMS, "/t/b\0", 5),
            On(1, XS_SET_PERMS, "/t/b\0n0\0r3\0"),
            On(0, XS_TRANSACTION_END, "T\0", 5),
            // 6: removed a subtree whose grandchild changes outside.
            On(0, XS_WRITE, "/r/s/t\0x"),
            On(0, XS_TRANSACTION_START, "\0"),
            On(0, XS_RM, "/r\0", 6),
            On(1, XS_WRITE, "/r/s/t\0y"),
            On(0, XS_TRANSACTION_END, "T\0", 6),
            On(0, XS_READ, "/r/s/t\0"),
            // 7: read a missing node that is created and removed again outside.
            On(0, XS_TRANSACTION_START, "\0"),
            On(0, XS_READ, "/ghost\0", 7),
            On(1, XS_WRITE, "/ghost\0boo"),
            On(1, XS_RM, "/ghost\0"),
            On(0, XS_TRANSACTION_END, "T\0", 7),
            // 8: a value rewritten outside with the same bytes.
            On(0, XS_TRANSACTION_START, "\0"),
            On(0, XS_READ, "/u\0", 8),
            On(1, XS_WRITE, "/u\0z"),
            On(0, XS_TRANSACTION_END, "T\0", 8),
            // 9: aborting never conflicts; two transactions of one client.
            On(0, XS_TRANSACTION_START, "\0"),
            On(0, XS_TRANSACTION_START, "\0"),
            On(0, XS_WRITE, "/t/a\0nine", 9),
            On(0, XS_WRITE, "/t/a\0ten", 10),
            On(0, XS_TRANSACTION_END, "T\0", 9),
            On(0, XS_TRANSACTION_END, "T\0", 10),
            On(0, XS_READ, "/t/a\0"),
            On(1, XS_TRANSACTION_START, "\0"),
            On(1, XS_READ, "/t/a\0", 1),
            On(0, XS_WRITE, "/t/a\0eleven"),
            On(1, XS_TRANSACTION_END, "F\0", 1),
            // 10: a watch fires once per committed change, not for aborted ones.
            On(1, XS_WATCH, "/t\0tw\0"),
            On(0, XS_TRANSACTION_START, "\0"),
            On(0, XS_WRITE, "/t/w1\0x", 11),
            On(0, XS_WRITE, "/t/w2\0x", 11),
            On(0, XS_TRANSACTION_END, "T\0", 11),
            On(0, XS_TRANSACTION_START, "\0"),
            On(0, XS_WRITE, "/t/w3\0x", 12),
            On(0, XS_TRANSACTION_END, "F\0", 12),
        ], connections: 2);
    }

    [Fact]
    public void Removing_a_subtree_in_and_out_of_transactions_fires_like_the_reference()
    {
        Conformance.AssertSame([
            On(0, XS_WRITE, "/a/b/c\0x"),
            On(0, XS_WRITE, "/a/b/d\0x"),
            On(0, XS_WRITE, "/a/e\0x"),
            On(0, XS_WATCH, "/a/b/c\0w1\0"),
            On(0, XS_WATCH, "/a/b\0w2\0"),
            On(0, XS_WATCH, "/a/e\0w3\0"),
            On(0, XS_RM, "/a\0"),
            On(0, XS_WRITE, "/a/b/c\0x"),
            On(0, XS_WRITE, "/a/e\0x"),
            On(0, XS_TRANSACTION_START, "\0"),
            On(0, XS_RM, "/a\0", 1),
            On(0, XS_TRANSACTION_END, "T\0", 1),
            On(0, XS_TRANSACTION_START, "\0"),
            On(0, XS_WRITE, "/a/b/c\0x", 2),
            On(0, XS_RM, "/a/b\0", 2),
            On(0, XS_TRANSACTION_END, "T\0", 2),
        ]);
    }

    [Fact]
    public void Domains_introduce_release_and_friends()
    {
        Conformance.AssertSame([
            On(0, XS_WATCH, "@introduceDomain\0i\0"),
            On(1, XS_WATCH, "@releaseDomain\0r\0"),
            On(0, XS_GET_DOMAIN_PATH, "5\0"),
            On(0, XS_GET_DOMAIN_PATH, "x\0"),
            On(0, XS_GET_DOMAIN_PATH, "\0"),
            On(0, XS_IS_DOMAIN_INTRODUCED, "5\0"),
            On(0, XS_IS_DOMAIN_INTRODUCED, "0\0"),
            On(0, XS_INTRODUCE, "5\0"),
            On(0, XS_INTRODUCE, "5\0123\00\0"),
            On(0, XS_INTRODUCE, "5\0123\09\0"),
            On(0, XS_INTRODUCE, "5\0123\09\0"),
            On(0, XS_INTRODUCE, "5\0123\010\0"),
            On(0, XS_INTRODUCE, "0\0123\09\0"),
            On(0, XS_IS_DOMAIN_INTRODUCED, "5\0"),
            On(0, XS_RESUME, "5\0"),
            On(0, XS_RESUME, "6\0"),
            On(0, XS_SET_TARGET, "5\00\0"),
            On(0, XS_SET_TARGET, "5\07\0"),
            On(0, XS_SET_TARGET, "5\0"),
            On(0, XS_RELEASE, "5\0"),
            On(0, XS_RELEASE, "5\0"),
            On(0, XS_RELEASE, "0\0"),
            On(0, XS_RELEASE, "\0"),
            On(0, XS_IS_DOMAIN_INTRODUCED, "5\0"),
        ], connections: 2);
    }

    [Fact]
    public void Large_directories_and_directory_part()
    {
        var steps = new List<Step>();
        for (int i = 0; i < 3; i++)
            steps.Add(On(0, XS_WRITE, $"/d/{new string((char)('b' + i), 2000)}\0x"));
        steps.Add(On(0, XS_DIRECTORY, "/d\0"));
        steps.Add(On(0, XS_DIRECTORY_PART, "/d\00\0"));
        steps.Add(On(0, XS_DIRECTORY_PART, "/d\04002\0"));
        steps.Add(On(0, XS_DIRECTORY_PART, "/d\06003\0"));
        steps.Add(On(0, XS_DIRECTORY_PART, "/d\099999\0"));
        steps.Add(On(0, XS_DIRECTORY_PART, "/\01\0"));
        steps.Add(On(0, XS_DIRECTORY_PART, "/nope\00\0"));
        Conformance.AssertSame(steps);
    }

    [Fact]
    public void Watch_events_longer_than_the_payload_limit_are_dropped()
    {
        string token = new('t', 3000);
        string deep = "/" + string.Join("/", Enumerable.Repeat(new string('d', 99), 12));
        Conformance.AssertSame([
            On(0, XS_WATCH, $"/\0{token}\0"),
            On(0, XS_WATCH, "/\0short\0"),
            On(1, XS_WRITE, "/x\0v"),
            On(1, XS_WRITE, $"{deep}\0v"),
            On(1, XS_RM, "/" + new string('d', 99) + "\0"),
        ], connections: 2);
    }

    /// <summary>Two guests on their rings (connections 1 and 2, domains 5 and 6) beside dom0's socket.</summary>
    [Fact]
    public void Guests_on_rings_permissions_watches_and_quotas_with_xens_defaults()
    {
        var steps = new List<Step>
        {
            On(0, XS_MKDIR, "/local/domain/5\0"),
            On(0, XS_SET_PERMS, "/local/domain/5\0n0\0b5\0"),
            On(0, XS_MKDIR, "/local/domain/6\0"),
            On(0, XS_SET_PERMS, "/local/domain/6\0n0\0b6\0"),
            On(1, XS_READ, "name\0"),
            On(1, XS_WRITE, "name\0five"),
            On(1, XS_READ, "/local/domain/5/name\0"),
            On(1, XS_GET_PERMS, "name\0"),
            On(1, XS_DIRECTORY, "/local/domain\0"),
            On(1, XS_READ, "/\0"),
            On(1, XS_READ, "/local/domain/6\0"),
            On(1, XS_WRITE, "/local/domain/6/x\0no"),
            On(1, XS_WRITE, "/tool/x\0no"),
            On(1, XS_MKDIR, "/local/domain/6/y\0"),
            On(1, XS_RM, "/local/domain/6\0"),
            On(1, XS_GET_DOMAIN_PATH, "6\0"),
            On(1, XS_INTRODUCE, "9\01\02\0"),
            On(1, XS_IS_DOMAIN_INTRODUCED, "5\0"),
            On(1, XS_CONTROL, "quota\0"),
            // Sharing: 5 lets 6 read one node; 6 may read but not write it; 5 may not give it away.
            On(1, XS_WRITE, "shared\0s"),
            On(1, XS_SET_PERMS, "shared\0n5\0r6\0"),
            On(2, XS_READ, "/local/domain/5/shared\0"),
            On(2, XS_WRITE, "/local/domain/5/shared\0x"),
            On(1, XS_SET_PERMS, "shared\0n6\0"),
            On(1, XS_SET_PERMS, "shared\0n5\0r1\0r2\0r3\0r4\0r6\0"),
            // Watches: relative names, events only where the watcher may read.
            On(2, XS_WATCH, "/local/domain/5\0w6\0"),
            On(1, XS_WATCH, "name\0w5\0"),
            On(0, XS_WRITE, "/local/domain/5/name\0renamed"),
            On(1, XS_WRITE, "shared/sub\0x"),
            On(1, XS_WRITE, "private\0p"),
            On(1, XS_WATCH, "@introduceDomain\0wi\0"),
            On(1, XS_WATCH, "@releaseDomain\0wr\0"),
            // Quotas with Xen's defaults: node size, permissions per node, transactions.
            On(1, XS_WRITE, "big\0" + new string('b', 2007)),
            On(1, XS_WRITE, "big\0" + new string('b', 2008)),
            On(1, XS_WRITE, "big\0" + new string('b', 2009)),
            On(1, XS_WRITE, "new\0" + new string('b', 2008)),
            On(1, XS_WRITE, "new\0" + new string('b', 2007)),
            On(0, XS_WRITE, "/local/domain/5/big\0" + new string('b', 3000)),
        };
        for (int i = 0; i < 12; i++)
            steps.Add(On(2, XS_TRANSACTION_START, "\0"));
        steps.Add(On(2, XS_WRITE, "t\0v", 3));
        steps.Add(On(2, XS_TRANSACTION_END, "T\0", 3));
        steps.Add(On(2, XS_TRANSACTION_START, "\0"));
        steps.Add(On(2, XS_RESET_WATCHES, ""));
        steps.Add(On(2, XS_TRANSACTION_START, "\0"));
        steps.Add(On(1, XS_RM, "shared\0"));
        Conformance.AssertSame(steps, connections: 1, guests: [5, 6]);
    }

    /// <summary>Xen's default node and watch quotas for a guest, at their exact boundaries.</summary>
    [Fact]
    public void Guest_node_and_watch_quotas_with_xens_defaults()
    {
        var steps = new List<Step>
        {
            On(0, XS_MKDIR, "/local/domain/5\0"),
            On(0, XS_SET_PERMS, "/local/domain/5\0n0\0b5\0"),
        };
        for (int i = 0; i < 430; i++)
            steps.Add(Quick(1, XS_WRITE, $"n{i}\0"));    // until the parent's node size stops it
        for (int i = 0; i < 600; i++)
            steps.Add(Quick(1, XS_WRITE, $"d{i / 300}/m{i % 300}\0")); // until the node count stops it
        steps.Add(On(1, XS_RM, "n5\0"));
        steps.Add(On(1, XS_WRITE, "again/deeper\0"));
        steps.Add(On(1, XS_WRITE, "again\0"));
        for (int i = 0; i < 130; i++)
            steps.Add(Quick(1, XS_WATCH, $"n{i}\0t\0"));
        steps.Add(On(1, XS_UNWATCH, "n0\0t\0"));
        steps.Add(On(1, XS_WATCH, "n0\0u\0"));
        steps.Add(On(1, XS_WATCH, "n1\0u\0"));
        Conformance.AssertSame(steps, connections: 1, guests: [5]);
    }

    [Fact]
    public void Control_commands()
    {
        Conformance.AssertSame([
            On(0, XS_CONTROL, "check\0"),
            On(0, XS_CONTROL, "print\0hello\0"),
            On(0, XS_CONTROL, "quota\0"),
            On(0, XS_CONTROL, "no-such-command\0"),
        ]);
    }
}
