using Micro.Devices.Host;
using Micro.Devices.Tests.Support;
using Micro.Devices.Virtio;
using Micro.Guests.Tests;
using Micro.Kernel.Domains;
using Micro.Kernel.Ioreq;
using Micro.Testing;

namespace Micro.Devices.Tests;

/// <summary>The acceptance test: a guest moves 16 MiB through virtio-blk served by its own process, found over PCI.</summary>
public sealed class VirtioProcessTests : IDisposable
{
    private const ushort Base = 0xC000;
    private const ulong Requests = 2UL * VirtioBlkGuest.TotalBytes / VirtioBlkGuest.ChunkBytes;
    private readonly string _dir = Directory.CreateTempSubdirectory("micro-blk-").FullName;
    private readonly string _image;

    public VirtioProcessTests()
    {
        _image = Path.Combine(_dir, "disk.img");
        using var f = File.Create(_image);
        f.SetLength(VirtioBlkGuest.TotalBytes);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private (Micro.Kernel.Supervision.ServiceRecord Blk, DeviceModelLink Link) Start(GuestHarness h, params string[] options)
    {
        h.StartDevice("pci", 0xCF8, DeviceModelGrants.None, "--device", $"blk@0x{Base:x}");
        var grants = new DeviceModelGrants { GuestMemory = true, Doorbells = [Base + VirtioPciDevice.QueueNotifyReg], Files = [_image] };
        return h.StartDevice("virtio-blk", Base, grants, ["--base", $"0x{Base:x}", .. options]);
    }

    /// <summary>The image file and the guest's read-back copy both hold exactly the guest's 16 MiB.</summary>
    private void AssertImageAndReadBackHoldTheData(GuestHarness h)
    {
        byte[] expected = VirtioBlkGuest.Data();
        byte[] image = File.ReadAllBytes(_image);
        Assert.Equal(expected.Length, image.Length);
        Assert.True(expected.AsSpan().SequenceEqual(image), $"the image differs from the data at byte {expected.AsSpan().CommonPrefixLength(image)}");
        var readBack = h.Domain.Memory.Span(VirtioBlkGuest.ReadBack, (ulong)expected.Length);
        Assert.True(readBack.SequenceEqual(expected), $"the read-back copy differs at byte {readBack.CommonPrefixLength(expected)}");
    }

    private static unsafe ulong Completed(DeviceModelLink link) => new StateJournal<VirtioState>(link.State, 0, DeviceModelHeader.Offset).Current.Completed;

    [KvmFact]
    public void A_guest_writes_and_reads_back_16_mib_and_the_image_holds_exactly_those_bytes()
    {
        using var h = new GuestHarness(VirtioBlkGuest.Build(), VirtioBlkGuest.RamBytes);
        var (blk, link) = Start(h);
        Assert.Equal(ShutdownReason.Poweroff, h.Run(120));
        Assert.True(h.Domain.Console.Text.Contains("Test result: SUCCESS", StringComparison.Ordinal), h.Describe());
        AssertImageAndReadBackHoldTheData(h);
        Assert.Equal(Requests, Completed(link));
        Assert.Equal(0, blk.Restarts);
    }

    [KvmFact]
    public void The_block_model_killed_mid_transfer_restarts_and_the_transfer_completes_with_correct_data()
    {
        using var h = new GuestHarness(VirtioBlkGuest.Build(), VirtioBlkGuest.RamBytes);
        var (blk, link) = Start(h, "--delay-us", "50000"); // 50 ms a request: the kill lands mid-transfer
        h.Domain.Start();
        h.WaitUntil(() => Completed(link) >= 8, TimeSpan.FromSeconds(60));
        int killed = blk.Pid;
        Assert.True(h.Kill(blk));
        ulong completedAtKill = Completed(link);
        Assert.True(completedAtKill < Requests, $"the transfer was over ({completedAtKill} requests) before the kill");
        Assert.Equal(ShutdownReason.Poweroff, h.Wait(120));
        Assert.True(h.Domain.Console.Text.Contains("Test result: SUCCESS", StringComparison.Ordinal), h.Describe());
        AssertImageAndReadBackHoldTheData(h);
        Assert.Equal(Requests, Completed(link));
        Assert.Equal(1, blk.Restarts);
        Assert.NotEqual(killed, blk.Pid);
    }

    [KvmFact]
    public void A_guest_finds_virtio_console_over_pci_and_its_line_reaches_the_console_ring()
    {
        using var h = new GuestHarness(VirtioConsoleGuest.Build());
        const ushort consoleBase = 0xC040;
        h.StartDevice("pci", 0xCF8, DeviceModelGrants.None, "--device", $"console@0x{consoleBase:x}");
        var grants = new DeviceModelGrants { GuestMemory = true, Output = true, Doorbells = [consoleBase + VirtioPciDevice.QueueNotifyReg] };
        var (_, link) = h.StartDevice("virtio-console", consoleBase, grants, "--base", $"0x{consoleBase:x}");
        Assert.Equal(ShutdownReason.Poweroff, h.Run());
        Assert.True(h.Domain.Console.Text.Contains("Test result: SUCCESS", StringComparison.Ordinal), h.Describe());
        var ring = DeviceOutputRing.View(link.Output!);
        var buffer = new byte[4096];
        var r = ring.Read(buffer);
        Assert.True(r.IsOk, r.ToString());
        Assert.Equal(VirtioConsoleGuest.Text, buffer[..r.Count]);
    }
}
