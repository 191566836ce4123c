using System.Diagnostics;
using System.Globalization;
using Micro.XenStore.Tests;
using Micro.XenStore.Wire;

[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace Micro.Bench.XenStore;

/// <summary>
/// Our xenstored against Xen 4.17's C xenstored (under the test shim), started side by side in this
/// run, one client each over the Unix socket. Prints ops/s and the ratio ours/C per workload. Ours
/// runs twice: with its state on the temp dir's disk (every acknowledged change fsynced, the default)
/// and on tmpfs (same code, fsync nearly free) to separate durability's cost; the C daemon keeps its
/// store in memory and makes nothing durable.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        bool quick = args.Contains("--quick");
        int n = quick ? 2000 : 20000;
        int children = quick ? 5000 : 20000;
        int rounds = quick ? 2 : 3;

        // Each workload with the number of operations it counts.
        var workloads = new (string Name, int Ops, Func<XsClient, int, double> Run)[]
        {
            ("sequential writes", n, (c, _) => Workloads.SequentialWrites(c, n)),
            ("sequential reads", n, (c, _) => Workloads.SequentialReads(c, n)),
            ("pipelined reads", n * 2, (c, _) => Workloads.PipelinedReads(c, n * 2)),
            ("transactions (start+write+commit)", n / 2, (c, _) => Workloads.Transactions(c, n / 2)),
            ($"{children} children in one dir", children, (c, round) => Workloads.ManyChildren(c, children, round)),
            ($"rm of a {children}-node subtree", children, (c, round) => Workloads.RemoveSubtree(c, children, round)),
        };

        string shm = Path.Combine("/dev/shm", $"micro-xs-bench-{Environment.ProcessId}");
        var columns = new List<(string Name, Func<Daemon> Start)>
        {
            ("C xenstored", Daemon.Reference),
            ("ours (disk)", () => Daemon.Ours()),
        };
        if (Directory.Exists("/dev/shm"))
            columns.Add(("ours (tmpfs)", () => Daemon.Ours(null, "--state-dir", shm)));

        // All daemons run side by side and take turns on each workload, several rounds, best round
        // kept: on a shared, noisy machine this compares them under the same conditions.
        var daemons = new List<Daemon>();
        var clients = new List<XsClient>();
        var results = new double[workloads.Length, columns.Count];
        var cpu = new double[workloads.Length, columns.Count]; // daemon CPU µs per operation, best round
        try
        {
            foreach (var (_, start) in columns)
            {
                daemons.Add(start());
                clients.Add(daemons[^1].Connect());
            }
            foreach (var c in clients)
                Workloads.SequentialReads(c, 500); // warm up
            for (int w = 0; w < workloads.Length; w++)
            {
                for (int round = 0; round < rounds; round++)
                {
                    for (int col = 0; col < columns.Count; col++)
                    {
                        double before = CpuSeconds(daemons[col].Process.Pid);
                        results[w, col] = Math.Max(results[w, col], workloads[w].Run(clients[col], round));
                        // At least one clock tick: a run shorter than the clock's resolution gets an upper bound.
                        double perOp = Math.Max(CpuSeconds(daemons[col].Process.Pid) - before, 0.01) * 1e6 / workloads[w].Ops;
                        cpu[w, col] = round == 0 ? perOp : Math.Min(cpu[w, col], perOp);
                    }
                }
            }
        }
        finally
        {
            foreach (var c in clients)
                c.Dispose();
            foreach (var d in daemons)
                d.Dispose();
            if (Directory.Exists(shm))
                Directory.Delete(shm, recursive: true);
        }

        Console.WriteLine($"xenstored benchmark ({(quick ? "quick" : "full")}): best of {rounds} interleaved rounds, one client each over the Unix socket");
        Print("throughput, ops/s; ratio = ours / C (higher is better for ours)", columns, workloads.Select(w => w.Name).ToArray(), results, "N0", lowerIsBetter: false);
        Print("daemon CPU time, µs per op (from /proc, robust to other load; 10 ms resolution per run); ratio = C / ours (higher is better for ours)", columns, workloads.Select(w => w.Name).ToArray(), cpu, "N1", lowerIsBetter: true);
        return 0;
    }

    private static void Print(string title, List<(string Name, Func<Daemon> Start)> columns, string[] names, double[,] values, string format, bool lowerIsBetter)
    {
        Console.WriteLine();
        Console.WriteLine(title);
        Console.Write($"{"workload",-36}");
        foreach (var (name, _) in columns)
            Console.Write($"{name,16}");
        for (int col = 1; col < columns.Count; col++)
            Console.Write($"{"ratio " + columns[col].Name[5..],16}");
        Console.WriteLine();
        for (int w = 0; w < names.Length; w++)
        {
            Console.Write($"{names[w],-36}");
            for (int col = 0; col < columns.Count; col++)
                Console.Write(values[w, col].ToString(format, CultureInfo.InvariantCulture).PadLeft(16));
            for (int col = 1; col < columns.Count; col++)
            {
                double ratio = lowerIsBetter ? values[w, 0] / values[w, col] : values[w, col] / values[w, 0];
                Console.Write($"{ratio.ToString("F2", CultureInfo.InvariantCulture),15}x");
            }
            Console.WriteLine();
        }
    }

    /// <summary>User + system CPU time a process has used (/proc/PID/stat fields 14 and 15, in clock ticks of 1/100 s).</summary>
    private static double CpuSeconds(int pid)
    {
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // fields[0] is field 3 (state): utime is field 14, stime field 15.
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }
}

/// <summary>The workloads; each returns operations per second.</summary>
public static class Workloads
{
    private static double Rate(int ops, Stopwatch sw) => ops / sw.Elapsed.TotalSeconds;

    private static void Expect(XsClient c, string reply)
    {
        if (reply.StartsWith("error:", StringComparison.Ordinal))
            throw new InvalidOperationException("unexpected " + reply);
    }

    public static double SequentialWrites(XsClient c, int n)
    {
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < n; i++)
            Expect(c, c.Request(XsMessageType.XS_WRITE, $"/bench/w/k{i % 1000}\0value-{i}"));
        return Rate(n, sw);
    }

    public static double SequentialReads(XsClient c, int n)
    {
        Expect(c, c.Request(XsMessageType.XS_WRITE, "/bench/r\0some value"));
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < n; i++)
            Expect(c, c.Request(XsMessageType.XS_READ, "/bench/r\0"));
        return Rate(n, sw);
    }

    public static double PipelinedReads(XsClient c, int n)
    {
        Expect(c, c.Request(XsMessageType.XS_WRITE, "/bench/r\0some value"));
        const int window = 64;
        var sw = Stopwatch.StartNew();
        int sent = 0, received = 0;
        while (received < n)
        {
            while (sent < n && sent - received < window)
                c.Send(XsMessageType.XS_READ, "/bench/r\0", (uint)sent++);
            received += c.ReceiveReply().Count;
        }
        return Rate(n, sw);
    }

    public static double Transactions(XsClient c, int n)
    {
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < n; i++)
        {
            string id = c.Request(XsMessageType.XS_TRANSACTION_START, "\0").TrimEnd('\0');
            uint tx = uint.Parse(id, System.Globalization.CultureInfo.InvariantCulture);
            Expect(c, c.Request(XsMessageType.XS_WRITE, $"/bench/t/k{i % 100}\0v{i}", tx));
            Expect(c, c.Request(XsMessageType.XS_TRANSACTION_END, "T\0", tx));
        }
        return Rate(n, sw);
    }

    public static double ManyChildren(XsClient c, int n, int round)
    {
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < n; i++)
            Expect(c, c.Request(XsMessageType.XS_WRITE, $"/bench/big{round}/child{i}\0v"));
        return Rate(n, sw);
    }

    /// <summary>Removes the subtree ManyChildren built (rebuilding it first if needed); nodes removed per second.</summary>
    public static double RemoveSubtree(XsClient c, int n, int round)
    {
        if (c.Request(XsMessageType.XS_READ, $"/bench/big{round}/child{n - 1}\0").StartsWith("error:", StringComparison.Ordinal))
            ManyChildren(c, n, round);
        var sw = Stopwatch.StartNew();
        c.Send(XsMessageType.XS_RM, $"/bench/big{round}\0", 1);
        var reply = c.ReceiveReply(timeoutMs: 300_000)[^1]; // the C daemon needs a while for a big subtree
        if (reply.Type != (uint)XsMessageType.XS_RM)
            throw new InvalidOperationException("rm failed: " + System.Text.Encoding.UTF8.GetString(reply.Payload));
        return Rate(n, sw);
    }
}
