using System.Text;
using Micro.XenStore.Wire;
using static Micro.XenStore.Wire.XsMessageType;

namespace Micro.Fuzz;

/// <summary>Seed inputs for the xenstore targets: well-formed request streams and ring scripts.</summary>
public static class XenStoreSeeds
{
    private static byte[] Req(XsMessageType type, string payload, uint reqId = 0, uint tx = 0)
        => XsMessage.Encode((uint)type, reqId, tx, Encoding.UTF8.GetBytes(payload));

    private static byte[] Stream(byte split, params byte[][] frames) => [split, .. frames.SelectMany(f => f)];

    public static IEnumerable<byte[]> Wire()
    {
        yield return Stream(16, Req(XS_WRITE, "/a/b\0v"), Req(XS_READ, "/a/b\0"), Req(XS_DIRECTORY, "/a\0"));
        yield return Stream(3, Req(XS_WATCH, "/a\0t\0"), Req(XS_WRITE, "/a/c\0x"), Req(XS_RM, "/a\0"), Req(XS_UNWATCH, "/a\0t\0"));
        yield return Stream(64, Req(XS_TRANSACTION_START, "\0"), Req(XS_WRITE, "/t\0v", tx: 1), Req(XS_TRANSACTION_END, "T\0", tx: 1));
        yield return Stream(7, Req(XS_WRITE, "/p\0"), Req(XS_SET_PERMS, "/p\0n0\0r1\0b2\0"), Req(XS_GET_PERMS, "/p\0"),
            Req(XS_WRITE, "/p/q\0x", reqId: 1), Req(XS_WRITE, "/p/r\0x", reqId: 2), Req(XS_READ, "/p/q\0", reqId: 2));
        yield return Stream(32, Req(XS_INTRODUCE, "1\05\06\0"), Req(XS_IS_DOMAIN_INTRODUCED, "1\0"), Req(XS_SET_TARGET, "1\00\0"),
            Req(XS_GET_DOMAIN_PATH, "1\0"), Req(XS_RESUME, "1\0"), Req(XS_RELEASE, "1\0"));
        yield return Stream(5, Req(XS_WATCH, "@introduceDomain\0i\0"), Req(XS_WATCH, "rel\0r\0", reqId: 1), Req(XS_WRITE, "rel/x\0y", reqId: 1),
            Req(XS_RESET_WATCHES, ""), Req(XS_DIRECTORY_PART, "/\00\0"), Req(XS_CONTROL, "quota\0"));
        yield return Stream(9, Req(XS_MKDIR, "/m/n/o\0", reqId: 2), Req(XS_TRANSACTION_START, "\0", reqId: 2), Req(XS_RM, "/m\0", 2, 1),
            Req(XS_TRANSACTION_END, "F\0", 2, 1), Req((XsMessageType)99, "x\0"));
    }

    public static IEnumerable<byte[]> Ring()
    {
        // Guest writes a request in pieces, the store pumps and flushes, the guest reads the reply.
        byte[] read = Req(XS_READ, "/\0");
        byte[] write = Req(XS_WRITE, "/local/domain/5/x\0value");
        yield return [0, (byte)read.Length, .. read, 4, 0, 6, 0, 2, 128];
        yield return [0, 8, .. write[..8], 4, 0, 0, (byte)(write.Length - 8), .. write[8..], 4, 0, 6, 0, 2, 128];
        // Scribbled indices, then reconnection.
        yield return [1, 1, 0x00, 0x20, 0, 0, 4, 0, 3, 0, 7, 0, 0, (byte)read.Length, .. read, 5, 0, 6, 0];
        yield return [0, (byte)read.Length, .. read, 1, 2, 0xFF, 0xFF, 0xFF, 0xFF, 6, 0, 2, 8];
    }

    /// <summary>Seeded random edits of the seeds (bit flips, bytes, cuts, inserts, splices).</summary>
    public static IEnumerable<byte[]> Mutations(IReadOnlyList<byte[]> seeds, int count, int seed)
    {
        var rng = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            var input = seeds[rng.Next(seeds.Count)].ToList();
            for (int e = rng.Next(1, 6); e > 0; e--)
            {
                int at = input.Count == 0 ? 0 : rng.Next(input.Count);
                switch (rng.Next(5))
                {
                    case 0 when input.Count > 0:
                        input[at] ^= (byte)(1 << rng.Next(8));
                        break;
                    case 1 when input.Count > 0:
                        input[at] = (byte)rng.Next(256);
                        break;
                    case 2:
                        input.RemoveRange(at, rng.Next(0, Math.Min(16, input.Count - at) + 1));
                        break;
                    case 3:
                        input.InsertRange(at, Enumerable.Range(0, rng.Next(1, 16)).Select(_ => (byte)rng.Next(256)));
                        break;
                    default:
                        input.InsertRange(at, seeds[rng.Next(seeds.Count)]);
                        break;
                }
            }
            yield return input.ToArray();
        }
    }
}
