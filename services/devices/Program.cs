using Micro.Devices.Host;
using Micro.Devices.I8042;
using Micro.Devices.Pci;
using Micro.Devices.Rtc;
using Micro.Devices.Uart;
using Micro.Devices.Virtio;
using Micro.Protocol.Os;

namespace Micro.Devices;

/// <summary>
/// micro-devices DEVICE SOCKET DOMID [--base PORT] [--delay-us N] [--device KIND@PORT]...: one device
/// model for one guest, run by the core's supervisor (which passes SOCKET, its control socket).
/// </summary>
public static class Program
{
    private const string Usage = "usage: micro-devices uart|cmos|i8042|pci|virtio-blk|virtio-console SOCKET DOMID [--base PORT] [--delay-us N] [--device blk@PORT|console@PORT]...";

    public static int Main(string[] args)
    {
        if (args.Length < 3 || !ushort.TryParse(args[2], out ushort domid))
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        try
        {
            var options = DeviceOptions.Parse(args.AsSpan(3));
            var device = Create(args[0], options);
            if (device is null)
            {
                Console.Error.WriteLine($"unknown device '{args[0]}'\n{Usage}");
                return 2;
            }
            using var host = DeviceModelHost.Connect(args[1], domid, device, options.DelayUs);
            return host is null ? 3 : host.Run();
        }
        catch (FormatException e)
        {
            Console.Error.WriteLine($"{e.Message}\n{Usage}");
            return 2;
        }
        catch (Exception e) when (e is IOException or PeerProtocolException or InvalidOperationException or ArgumentException)
        {
            Console.Error.WriteLine($"{args[0]}: {e.Message}");
            return 1;
        }
    }

    private static DeviceModel? Create(string kind, DeviceOptions o) => kind switch
    {
        "uart" => new Uart16550(o.Base ?? Uart16550.Com1),
        "cmos" => new CmosRtc(),
        "i8042" => new I8042Controller(),
        "virtio-blk" => new VirtioBlk(o.Base ?? throw new FormatException("virtio-blk needs --base PORT")),
        "virtio-console" => new VirtioConsole(o.Base ?? throw new FormatException("virtio-console needs --base PORT")),
        "pci" => new PciHostBridge([.. o.Devices.Select(d => PciFunctionOf(d.Kind, d.Port))]),
        _ => null,
    };

    private static PciFunction PciFunctionOf(string kind, ushort port) => kind switch
    {
        "blk" => PciFunction.VirtioBlock(port),
        "console" => PciFunction.VirtioConsole(port),
        _ => throw new FormatException($"--device {kind}@{port:x}: the PCI bus knows blk and console"),
    };
}
