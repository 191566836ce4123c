using System.Text;
using Micro.XenStore.Wire;

namespace Micro.XenStore.Tests;

/// <summary>One request of a conformance script, sent on connection <see cref="Conn"/>.</summary>
public sealed record Step(int Conn, XsMessageType Type, string Payload, uint Tx = 0, bool Fast = false)
{
    public static Step On(int conn, XsMessageType type, string payload, uint tx = 0) => new(conn, type, payload, tx);

    /// <summary>A step whose reply is compared but after which nobody waits for stray events (bulk steps).</summary>
    public static Step Quick(int conn, XsMessageType type, string payload) => new(conn, type, payload, 0, Fast: true);
}

/// <summary>
/// Runs the same script against the reference C xenstored and ours and records, per step, every
/// message each connection received (type, req_id, tx_id, payload) in order, plus the final tree.
/// </summary>
public static class Conformance
{
    /// <summary>
    /// Runs the script. Connections 0..<paramref name="connections"/>-1 are dom0's sockets; the next
    /// ones are the rings of <paramref name="guests"/> (domids), introduced before the script starts
    /// (on the reference, the shim maps each ring from a file the test shares).
    /// </summary>
    public static (List<string> Transcript, string Tree) Run(Daemon daemon, IReadOnlyList<Step> steps, int connections = 1, uint[]? guests = null)
    {
        var clients = Enumerable.Range(0, connections).Select(_ => daemon.Connect()).ToList();
        using var setup = daemon.Connect();
        var rings = new List<RingGuest>();
        try
        {
            foreach (uint domid in guests ?? [])
            {
                RingGuest ring;
                if (daemon.Name == "ours")
                {
                    ring = new RingGuest(domid);
                    if (ring.Attach(daemon.RingSocket) != "OK")
                        throw new InvalidOperationException("ring attach refused");
                }
                else
                {
                    ring = ReferenceGuest(daemon, setup, domid);
                }
                rings.Add(ring);
                if (setup.Request(XsMessageType.XS_INTRODUCE, $"{domid}\0{domid}\0{domid + 10}\0") != "OK\0")
                    throw new InvalidOperationException($"introducing domain {domid} failed");
            }
            var transcript = new List<string>();
            uint reqId = 100;
            foreach (var step in steps)
            {
                var got = new List<string>();
                byte[] payload = Encoding.UTF8.GetBytes(step.Payload);
                if (step.Conn < clients.Count)
                {
                    var c = clients[step.Conn];
                    c.Send((uint)step.Type, payload, reqId++, step.Tx);
                    foreach (var m in c.ReceiveReply())
                        got.Add($"c{step.Conn} " + Describe(m));
                }
                else
                {
                    var g = rings[step.Conn - clients.Count];
                    g.Send((uint)step.Type, payload, reqId++, step.Tx);
                    foreach (var m in g.ReceiveThroughReply())
                        got.Add($"c{step.Conn} " + Describe(m));
                }
                // Events that follow the reply (a new watch's first event) and events for the others.
                for (int i = 0; i < clients.Count && !step.Fast; i++)
                {
                    foreach (var m in clients[i].ReceiveUntilQuiet(i == step.Conn ? 40 : 5))
                        got.Add($"c{i} " + Describe(m));
                }
                for (int i = 0; i < rings.Count && !step.Fast; i++)
                {
                    foreach (var m in rings[i].ReceiveUntilQuiet(clients.Count + i == step.Conn ? 40 : 10))
                        got.Add($"c{clients.Count + i} " + Describe(m));
                }
                transcript.Add($"{step.Type} tx{step.Tx} '{Printable(step.Payload)}' -> {string.Join(" | ", got)}");
            }
            return (transcript, DumpTree(clients[0]));
        }
        finally
        {
            foreach (var c in clients)
                c.Dispose();
            foreach (var r in rings)
                r.Dispose();
        }
    }

    /// <summary>
    /// A guest of the reference daemon: its ring is a file the shim maps, its event channel the shim's
    /// FIFO (the local port is the remote one, domid + 10, plus 1000); a dom0 request after each
    /// signal makes sure the daemon went round its loop.
    /// </summary>
    public static RingGuest ReferenceGuest(Daemon daemon, XsClient dom0, uint domid)
    {
        string fifo = Path.Combine(daemon.Dir, "evtchn");
        byte[] port = BitConverter.GetBytes(domid + 10 + 1000);
        return new RingGuest(domid, Path.Combine(daemon.Dir, $"ring-{domid}"), () =>
        {
            using (var f = new FileStream(fifo, FileMode.Open, FileAccess.Write))
                f.Write(port);
            dom0.Request(XsMessageType.XS_GET_DOMAIN_PATH, "0\0");
        });
    }

    public static string Describe(XsMessage m)
    {
        string payload = Printable(Encoding.UTF8.GetString(m.Payload));
        if (m.Type == (uint)XsMessageType.XS_DIRECTORY_PART && m.Payload.Length > 0)
            payload = "<gen>" + payload[payload.IndexOf("\\0", StringComparison.Ordinal)..];
        return $"{(XsMessageType)m.Type}#{m.ReqId}/{m.TxId} '{payload}'";
    }

    public static string Printable(string s) => s.Replace("\0", "\\0", StringComparison.Ordinal);

    /// <summary>The whole tree, depth first, children in the daemon's order, with values and permissions.</summary>
    public static string DumpTree(XsClient c)
    {
        var sb = new StringBuilder();
        void Walk(string path, int depth)
        {
            string value = c.Request(XsMessageType.XS_READ, path + "\0");
            string perms = c.Request(XsMessageType.XS_GET_PERMS, path + "\0");
            sb.Append(' ', depth).Append(path).Append(" = '").Append(Printable(value)).Append("' ").Append(Printable(perms)).Append('\n');
            string dir = c.Request(XsMessageType.XS_DIRECTORY, path + "\0");
            if (dir.StartsWith("error:", StringComparison.Ordinal))
            {
                sb.Append(' ', depth + 1).Append(dir).Append('\n');
                return;
            }
            foreach (string child in dir.Split('\0', StringSplitOptions.RemoveEmptyEntries))
                Walk(path == "/" ? "/" + child : path + "/" + child, depth + 1);
        }
        Walk("/", 0);
        return sb.ToString();
    }

    /// <summary>Runs the script on both daemons and asserts identical transcripts and trees.</summary>
    public static void AssertSame(IReadOnlyList<Step> steps, int connections = 1, uint[]? guests = null)
    {
        using var reference = Daemon.Reference();
        using var ours = Daemon.Ours();
        var (refTranscript, refTree) = Run(reference, steps, connections, guests);
        var (ourTranscript, ourTree) = Run(ours, steps, connections, guests);
        for (int i = 0; i < steps.Count; i++)
            Assert.Equal(refTranscript[i], ourTranscript[i]);
        Assert.Equal(refTree, ourTree);
    }
}
