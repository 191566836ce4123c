using System.Globalization;

namespace Micro.Bench.Protocol;

/// <summary>The round-trip benchmark's knobs, as command-line options (also passed on to the peer process).</summary>
internal sealed record RoundTripOptions(int Rounds, int Warmup, int Stream, int SpinMicroseconds, int RingSpinMicroseconds, int Blocks)
{
    public static RoundTripOptions Default => new(20_000, 2_000, 500_000, 50, 20, 10);

    /// <summary>Round trips per measured block (raw and framed blocks alternate, so both see the same noise).</summary>
    public int BlockRounds => Math.Max(1, Rounds / Blocks);

    public const string Usage = "roundtrip [--rounds N] [--blocks N] [--warmup N] [--stream N] [--spin MICROSECONDS] [--ring-spin MICROSECONDS]";

    public static RoundTripOptions Parse(ReadOnlySpan<string> args)
    {
        var o = Default;
        for (int i = 0; i < args.Length; i += 2)
        {
            if (i + 1 >= args.Length || !int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int v))
                throw new ArgumentException($"option {args[i]} needs a non-negative number; usage: {Usage}");
            o = args[i] switch
            {
                "--rounds" => o with { Rounds = Math.Max(1, v) },
                "--warmup" => o with { Warmup = v },
                "--blocks" => o with { Blocks = Math.Max(1, v) },
                "--stream" => o with { Stream = Math.Max(1, v) },
                "--spin" => o with { SpinMicroseconds = v },
                "--ring-spin" => o with { RingSpinMicroseconds = v },
                _ => throw new ArgumentException($"unknown option {args[i]}; usage: {Usage}"),
            };
        }
        return o;
    }

    public string[] ToArgs() =>
    [
        "--rounds", Rounds.ToString(CultureInfo.InvariantCulture), "--warmup", Warmup.ToString(CultureInfo.InvariantCulture),
        "--stream", Stream.ToString(CultureInfo.InvariantCulture), "--spin", SpinMicroseconds.ToString(CultureInfo.InvariantCulture),
        "--ring-spin", RingSpinMicroseconds.ToString(CultureInfo.InvariantCulture), "--blocks", Blocks.ToString(CultureInfo.InvariantCulture),
    ];
}
