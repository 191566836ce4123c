using Micro.Fuzz;

namespace Micro.XenStore.Tests;

/// <summary>
/// The xenstore fuzz targets (wire parser + request handling, ring path) over their seeds and seeded
/// mutations of them: the AFL path, exercised in CI in a few seconds without AFL.
/// </summary>
public sealed class FuzzCorpusTests
{
    [Fact]
    public void The_wire_parser_and_handlers_survive_mutated_request_streams()
    {
        var seeds = XenStoreSeeds.Wire().ToList();
        foreach (byte[] input in seeds.Concat(XenStoreSeeds.Mutations(seeds, 15_000, seed: 11)))
            Run(XenStoreWireTarget.Run, input);
    }

    [Fact]
    public void The_ring_path_survives_a_hostile_guest()
    {
        var seeds = XenStoreSeeds.Ring().ToList();
        foreach (byte[] input in seeds.Concat(XenStoreSeeds.Mutations(seeds, 15_000, seed: 12)))
            Run(XenStoreRingTarget.Run, input);
        var rng = new Random(13);
        for (int i = 0; i < 3_000; i++)
        {
            var random = new byte[rng.Next(0, 400)];
            rng.NextBytes(random);
            Run(XenStoreRingTarget.Run, random);
            Run(XenStoreWireTarget.Run, random);
        }
    }

    private static void Run(Action<ReadOnlySpan<byte>> target, byte[] input)
    {
        try
        {
            target(input);
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"crash on input {Convert.ToHexString(input)}: {e}", e);
        }
    }
}
