using Micro.Fuzz;

namespace Micro.Protocol.Tests;

/// <summary>The fuzz targets over seeded mutations of the seed corpus: the AFL path, exercised without AFL.</summary>
public class FuzzCorpusTests
{
    [Fact]
    public void TheFrameDecoderSurvivesTheCorpus()
    {
        var seeds = SeedCorpus.Frames().ToList();
        foreach (byte[] input in seeds)
            FrameTarget.Run(input);
        foreach (byte[] input in SeedCorpus.Mutations(seeds, 30_000, seed: 1))
            Run(FrameTarget.Run, input);
    }

    [Fact]
    public void TheRingReadersSurviveTheCorpus()
    {
        var seeds = SeedCorpus.Rings().ToList();
        foreach (byte[] input in SeedCorpus.Mutations(seeds, 20_000, seed: 2))
            Run(RingTarget.Run, input);
        var rng = new Random(4);
        for (int i = 0; i < 5_000; i++)
        {
            var random = new byte[rng.Next(0, 600)];
            rng.NextBytes(random);
            Run(RingTarget.Run, random);
            Run(FrameTarget.Run, random);
        }
    }

    [Fact]
    public void TheSeedFramesAreAllAccepted()
    {
        foreach (byte[] frame in SeedCorpus.Frames())
            Assert.True(Framing.FrameCodec.Decode(frame, out _, out _).IsOk);
    }

    private static void Run(Action<ReadOnlySpan<byte>> target, byte[] input)
    {
        try
        {
            target(input);
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"crash on input {Convert.ToHexString(input)}: {e.Message}", e);
        }
    }
}
