using System.Diagnostics;
using Micro.Devices.Host;
using Micro.Guests.Runtime;
using Micro.Guests.Tests;
using Micro.Kernel.Core;
using Micro.Kernel.Domains;
using Micro.Kernel.Ioreq;
using Micro.Kernel.Kvm;
using Micro.Kernel.Supervision;

namespace Micro.Bench.Devices;

/// <summary>
/// Guests driving device-model processes on the hosted core, each against a baseline measured in the
/// same run: the core's own exit rate (writes to an unclaimed port) and a raw pread loop on the same
/// disk image. Several rounds each; the best round of each side is compared.
/// </summary>
internal sealed class DeviceBenchmarks : IDisposable
{
    private const int Rounds = 3;
    private const ushort BlkBase = 0xC000;
    private const long DiskBytes = 64 << 20;
    private readonly KvmSystem _kvm = new();
    private readonly KernelLog _log = new();
    private readonly HostedCore _core;
    private readonly string _dir = Directory.CreateTempSubdirectory("micro-bench-devices-").FullName;
    private readonly string _image;
    private double? _exitSeconds;

    public DeviceBenchmarks()
    {
        _core = new HostedCore(_log);
        _image = Path.Combine(_dir, "disk.img");
        var block = new byte[1 << 20];
        new Random(1).NextBytes(block);
        using var f = File.Create(_image);
        for (long i = 0; i < DiskBytes; i += block.Length)
            f.Write(block);
    }

    /// <summary>Seconds per exit the core handles itself (best of the rounds), measured once per run.</summary>
    private double ExitSeconds()
    {
        if (_exitSeconds is double s)
            return s;
        const int exits = 20_000;
        var image = BenchGuests.UnclaimedWrites(exits);
        double best = double.MaxValue;
        for (int r = 0; r < Rounds; r++)
        {
            using var d = Domain(image, GuestLayoutDefaults.Ram);
            best = Math.Min(best, RunTimed(d) / exits);
        }
        Console.WriteLine($"raw exit (unclaimed port, handled by the core): {best * 1e6,8:0.0} us   {1 / best,10:0} exits/s (baseline)");
        _exitSeconds = best;
        return best;
    }

    public void Uart()
    {
        const int bytes = 2_000;
        double exit = ExitSeconds();
        double best = double.MaxValue;
        for (int r = 0; r < Rounds; r++)
        {
            using var d = Domain(BenchGuests.UartWrites(bytes), GuestLayoutDefaults.Ram);
            using var supervisor = new ServiceSupervisor(_dir, _log);
            using var link = new DeviceModelLink(d, new DeviceModelGrants { Output = true });
            Start(supervisor, d, link, "uart", 0x3F8, []);
            using var drain = new OutputDrain(link.Output!);
            best = Math.Min(best, RunTimed(d) / bytes);
            if (drain.Stop() != bytes)
                throw new InvalidOperationException($"the console received {drain.Received} bytes, not {bytes}");
        }
        Console.WriteLine($"UART transmit (LSR poll + THR write, device-model process): {1 / best,10:0} bytes/s   {best * 1e6,8:0.0} us/byte   ratio {best / (2 * exit):0.00}x two raw exits");
    }

    public void Blk()
    {
        const int reads = 500;
        double exit = ExitSeconds();
        double guest = double.MaxValue, raw = double.MaxValue;
        var image = VirtioBlkGuest.RandomReads(reads, DiskBytes);
        for (int r = 0; r < Rounds; r++)
        {
            using var d = Domain(image, GuestLayoutDefaults.Ram);
            using var supervisor = new ServiceSupervisor(_dir, _log);
            using var pci = new DeviceModelLink(d);
            using var blk = new DeviceModelLink(d, new DeviceModelGrants { GuestMemory = true, Doorbells = [BlkBase + 0x10], Files = [_image] });
            Start(supervisor, d, pci, "pci", 0xCF8, ["--device", $"blk@0x{BlkBase:x}"]);
            Start(supervisor, d, blk, "virtio-blk", BlkBase, ["--base", $"0x{BlkBase:x}"]);
            guest = Math.Min(guest, RunTimed(d) / reads);
            raw = Math.Min(raw, RawPread(reads));
        }
        Console.WriteLine($"virtio-blk 4 KiB random reads from a guest: {1 / guest,10:0} IOPS   {guest * 1e6,8:0.0} us/IO");
        Console.WriteLine($"raw pread loop, 4 KiB random, same image:   {1 / raw,10:0} IOPS   {raw * 1e6,8:0.0} us/IO (baseline)");
        Console.WriteLine($"virtio-blk ratio: {guest / raw:0.0}x the raw pread time per IO, {guest / exit:0.0}x a raw exit");
    }

    private double RawPread(int reads)
    {
        using var handle = File.OpenHandle(_image);
        var buffer = new byte[4096];
        var random = new Random(12345);
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < reads; i++)
            RandomAccess.Read(handle, buffer, random.NextInt64(DiskBytes / 4096) * 4096);
        return watch.Elapsed.TotalSeconds / reads;
    }

    private HostedDomain Domain(GuestImage image, ulong ram)
    {
        var d = new HostedDomain(_core, _kvm, ram);
        d.Load(image.Bytes, image.LoadAddress, image.Entry);
        return d;
    }

    private static double RunTimed(HostedDomain d)
    {
        var watch = Stopwatch.StartNew();
        d.Start();
        if (d.WaitForShutdown(TimeSpan.FromSeconds(300)) != ShutdownReason.Poweroff || !d.Console.Text.Contains("SUCCESS", StringComparison.Ordinal))
            throw new InvalidOperationException($"d{d.DomId} did not succeed: {d.Console.Text}");
        return watch.Elapsed.TotalSeconds;
    }

    private static uint _nextUid = 60301;

    private static void Start(ServiceSupervisor supervisor, HostedDomain d, DeviceModelLink link, string kind, ushort probe, string[] options)
    {
        supervisor.Start(DeviceModelCommand.Spec(kind, d.DomId, _nextUid++, link, options));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!(d.Exits.PortIo.TryFind(probe, out var s) && s == link.Server))
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{kind} did not register");
            Thread.Sleep(5);
        }
    }

    public void Dispose()
    {
        _kvm.Dispose();
        _core.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}

/// <summary>Guest RAM for the benchmark guests (the disk guest keeps its ring and buffers below 40 MiB).</summary>
internal static class GuestLayoutDefaults
{
    public const ulong Ram = VirtioBlkGuest.RamBytes;
}
