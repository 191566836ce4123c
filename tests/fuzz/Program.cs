using SharpFuzz;

namespace Micro.Fuzz;

/// <summary>
/// micro-fuzz: SharpFuzz targets for the parsers of untrusted bytes.
///   micro-fuzz TARGET                      run under afl-fuzz (persistent, out of process)
///   micro-fuzz TARGET --run FILE...        run the target once on each file (reproduce a crash)
///   micro-fuzz seed DIR                    write the seed corpus (one folder per target)
/// TARGET: frame, ring (protocol), xenstore-wire, xenstore-ring (xenstored; also instrument
/// micro-xenstored.dll).
/// With AFL++ (Debian package afl++) and SharpFuzz's instrumenter (dotnet tool SharpFuzz.CommandLine):
///   dotnet publish tests/fuzz -c Release -o out/fuzz
///   sharpfuzz out/fuzz/Micro.Protocol.dll
///   dotnet out/fuzz/micro-fuzz.dll seed corpus
///   afl-fuzz -i corpus/frame -o findings/frame -t 5000 -m none -- dotnet out/fuzz/micro-fuzz.dll frame
/// The corpus test in tests/Micro.Protocol.Tests runs the same targets over seeded mutations in CI.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length == 2 && args[0] == "seed")
            return Seed(args[1]);
        Action<ReadOnlySpan<byte>>? target = args.Length > 0 ? Target(args[0]) : null;
        if (target is null)
        {
            Console.Error.WriteLine("usage: micro-fuzz frame|ring|xenstore-wire|xenstore-ring [--run FILE...] | seed DIR");
            return 2;
        }
        if (args.Length > 1 && args[1] == "--run")
        {
            foreach (string file in args[2..])
                target(File.ReadAllBytes(file));
            Console.WriteLine($"{args.Length - 2} input(s): no crash");
            return 0;
        }
        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            target(copy.ToArray());
        });
        return 0;
    }

    public static Action<ReadOnlySpan<byte>>? Target(string name) => name switch
    {
        "frame" => FrameTarget.Run,
        "ring" => RingTarget.Run,
        "xenstore-wire" => XenStoreWireTarget.Run,
        "xenstore-ring" => XenStoreRingTarget.Run,
        _ => null,
    };

    private static int Seed(string dir)
    {
        Write(Path.Combine(dir, "frame"), SeedCorpus.Frames());
        Write(Path.Combine(dir, "ring"), SeedCorpus.Rings());
        Write(Path.Combine(dir, "xenstore-wire"), XenStoreSeeds.Wire());
        Write(Path.Combine(dir, "xenstore-ring"), XenStoreSeeds.Ring());
        return 0;
    }

    private static void Write(string dir, IEnumerable<byte[]> inputs)
    {
        Directory.CreateDirectory(dir);
        int i = 0;
        foreach (byte[] input in inputs)
            File.WriteAllBytes(Path.Combine(dir, $"seed-{i++:D3}"), input);
    }
}
