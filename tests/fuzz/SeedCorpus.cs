using System.Buffers.Binary;
using Micro.Protocol.Framing;

namespace Micro.Fuzz;

/// <summary>
/// Inputs for the targets: valid frames and rings to start from, and seeded mutations of them
/// (bit flips, cuts, splices, random bytes) for the corpus test that runs without AFL.
/// </summary>
public static class SeedCorpus
{
    public static IEnumerable<byte[]> Frames()
    {
        var codec = new FrameCodec();
        ulong id = 1;
        foreach (var message in MessageSamples.All)
            yield return codec.Encode(message, id++).ToArray();
    }

    public static IEnumerable<byte[]> Rings()
    {
        var rng = new Random(3);
        foreach (byte[] frame in Frames())
        {
            // A ring holding this frame as one record, with consistent indices.
            var input = new byte[16 + 8 + frame.Length];
            uint span = (uint)((4 + frame.Length + 7) & ~7);
            BinaryPrimitives.WriteUInt32LittleEndian(input, span);
            BinaryPrimitives.WriteUInt32LittleEndian(input.AsSpan(8), 200);
            BinaryPrimitives.WriteUInt32LittleEndian(input.AsSpan(12), (uint)rng.Next(0, 1025));
            BinaryPrimitives.WriteUInt32LittleEndian(input.AsSpan(16), (uint)frame.Length);
            frame.CopyTo(input, 20);
            yield return input;
        }
    }

    public static IEnumerable<byte[]> Mutations(IReadOnlyList<byte[]> seeds, int count, int seed)
    {
        var rng = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            var input = seeds[rng.Next(seeds.Count)].ToList();
            int edits = rng.Next(1, 5);
            for (int e = 0; e < edits; e++)
            {
                int at = input.Count == 0 ? 0 : rng.Next(input.Count);
                switch (rng.Next(6))
                {
                    case 0 when input.Count > 0:
                        input[at] ^= (byte)(1 << rng.Next(8));
                        break;
                    case 1 when input.Count > 0:
                        input[at] = (byte)rng.Next(256);
                        break;
                    case 2:
                        input.RemoveRange(at, rng.Next(0, input.Count - at + 1)); // cut
                        break;
                    case 3:
                        input.InsertRange(at, Enumerable.Range(0, rng.Next(1, 16)).Select(_ => (byte)rng.Next(256)));
                        break;
                    case 4:
                        input.AddRange(seeds[rng.Next(seeds.Count)]); // splice two inputs
                        break;
                    default:
                        if (input.Count >= 4)
                            BinaryPrimitives.WriteUInt32LittleEndian(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(input)[(at / 4 * 4 % (input.Count - 3))..], Interesting[rng.Next(Interesting.Length)]);
                        break;
                }
            }
            yield return input.ToArray();
        }
    }

    private static readonly uint[] Interesting = [0, 1, 4, 7, 8, 255, 256, 1024, 65535, 65536, 65540, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF];
}
