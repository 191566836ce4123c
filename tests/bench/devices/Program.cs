namespace Micro.Bench.Devices;

/// <summary>The device models' benchmarks: <c>micro-bench-devices [all|uart|blk]</c>, each a ratio against a baseline measured in the same run.</summary>
public static class Program
{
    private const string Usage = """
        usage: micro-bench-devices [COMMAND]      (./micro bench devices [COMMAND])
          all (the default)  both below
          uart               UART bytes/s from a guest through the UART process vs the raw exit rate
          blk                virtio-blk 4 KiB random-read IOPS from a guest vs a raw pread loop on the
                             same image file and vs the raw exit rate
        """;

    public static int Main(string[] args)
    {
        string command = args.Length > 0 ? args[0] : "all";
        if (args.Length > 1 || command is not ("all" or "uart" or "blk"))
        {
            Console.Error.WriteLine(Usage);
            return command is "-h" or "--help" ? 0 : 2;
        }
        if (!File.Exists("/dev/kvm"))
        {
            Console.Error.WriteLine("micro-bench-devices: /dev/kvm is missing");
            return 1;
        }
        using var bench = new DeviceBenchmarks();
        if (command is "all" or "uart")
            bench.Uart();
        if (command is "all" or "blk")
            bench.Blk();
        return 0;
    }
}
