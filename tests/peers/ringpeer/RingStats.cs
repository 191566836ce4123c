namespace Micro.RingPeer;

/// <summary>What one side of a run did. Printed as one line the parent parses.</summary>
public sealed record RingStats(string Side, ulong Messages, ulong Bytes, ulong Notifies, ulong Sleeps, long ElapsedNs, uint LastSeq)
{
    public override string ToString()
        => $"{Side} done: messages={Messages} bytes={Bytes} notifies={Notifies} sleeps={Sleeps} elapsed_ns={ElapsedNs} last_seq={LastSeq}";

    public static RingStats? Parse(string output, string side)
    {
        foreach (string line in output.Split('\n'))
        {
            if (!line.StartsWith(side + " done:", StringComparison.Ordinal))
                continue;
            var f = line[(side.Length + 6)..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(kv => kv.Split('=')).ToDictionary(kv => kv[0], kv => kv[1]);
            return new RingStats(side, ulong.Parse(f["messages"]), ulong.Parse(f["bytes"]), ulong.Parse(f["notifies"]),
                ulong.Parse(f["sleeps"]), long.Parse(f["elapsed_ns"]), uint.Parse(f["last_seq"]));
        }
        return null;
    }
}
