using Micro.Toolstack.Config;

namespace Micro.Toolstack.Tests;

public class DiskVifSpecTests
{
    private static DiskSpec Disk(string spec)
    {
        var disk = DiskSpecParser.Parse(spec, out string? error);
        Assert.True(disk is not null, error);
        return disk!;
    }

    [Theory] // The equivalent forms from xl-disk-configuration(5).
    [InlineData("/dev/vg/guest-volume,,hda")]
    [InlineData("/dev/vg/guest-volume,raw,hda,rw")]
    [InlineData("format=raw, vdev=hda, access=rw, target=/dev/vg/guest-volume")]
    [InlineData("raw:/dev/vg/guest-volume,hda,w")]
    public void Equivalent_disk_forms(string spec)
    {
        var disk = Disk(spec);
        Assert.Equal(("/dev/vg/guest-volume", "raw", "hda", "rw", "disk"), (disk.Target, disk.Format, disk.Vdev, disk.Access, disk.Devtype));
    }

    [Theory]
    [InlineData("/root/image.iso,,hdc,cdrom")]
    [InlineData("/root/image.iso,,hdc,,cdrom")]
    [InlineData("/root/image.iso,raw,hdc,devtype=cdrom")]
    [InlineData("format=raw, vdev=hdc, access=ro, devtype=cdrom, target=/root/image.iso")]
    [InlineData("raw:/root/image.iso,hdc:cdrom,ro")]
    public void Equivalent_cdrom_forms(string spec)
    {
        var disk = Disk(spec);
        Assert.Equal(("/root/image.iso", "raw", "hdc", "ro", "cdrom"), (disk.Target, disk.Format, disk.Vdev, disk.Access, disk.Devtype));
    }

    [Fact]
    public void Target_takes_the_rest_including_commas_and_prefixes_set_the_backend()
    {
        Assert.Equal("/a,b=c", Disk("vdev=xvda,target=/a,b=c").Target);
        var tap = Disk("tap:aio:/img.qcow,xvdb,r");
        Assert.Equal(("/img.qcow", "tap", "ro"), (tap.Target, tap.Backendtype, tap.Access));
        var phy = Disk("phy:/dev/sdb,xvdc,w");
        Assert.Equal("phy", phy.Backendtype);
        Assert.Equal("empty", Disk(",,hdc,cdrom").Format);
    }

    [Theory]
    [InlineData("/a,raw,xvda,rw,extra", "too many positional parameters at 'extra' (target, format, vdev, access)")]
    [InlineData("/a,vmdk,xvda", "unknown format 'vmdk' (raw, qcow, qcow2, vhd, qed, empty)")]
    [InlineData("/a,raw", "no vdev (the virtual device name, e.g. xvda)")]
    [InlineData("/a,raw,floppy0", "'floppy0' is not a virtual device name (xvdX, hdX, sdX, dNpM or a number)")]
    [InlineData("/a,raw,xvda,rx", "unknown access 'rx' (ro, rw)")]
    [InlineData("/a,,xvda,format=raw", "parameter 'format' is given twice")]
    [InlineData("/a,,xvda,colour=red", "unknown parameter 'colour'")]
    [InlineData(",,xvda", "no target: only a cdrom may be empty")]
    [InlineData("/a,,xvda,devtype=floppy", "unknown devtype 'floppy' (disk, cdrom)")]
    [InlineData("/a,,xvda,backendtype=nfs", "unknown backendtype 'nfs' (phy, qdisk, tap, standalone)")]
    [InlineData("/a,,xvda,cdrom,cdrom", "flag 'cdrom' is given twice")]
    public void Bad_disk_specs_say_why(string spec, string expected)
    {
        Assert.Null(DiskSpecParser.Parse(spec, out string? error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Vif_specs()
    {
        var empty = VifSpecParser.Parse("", out _)!;
        Assert.Equal("ioemu", empty.Type);
        var full = VifSpecParser.Parse("mac=00:16:3E:74:3d:76, bridge=xenbr0, ip=192.168.1.2 fe80::1, rate=10Mb/s@20ms, mtu=1500, devid=2, type=vif, model=e1000, untrusted", out string? error);
        Assert.True(full is not null, error);
        Assert.Equal(("00:16:3E:74:3d:76", "xenbr0", "vif", 1500, 2), (full!.Mac, full.Bridge, full.Type, full.Mtu, full.Devid));
        Assert.Equal(["192.168.1.2", "fe80::1"], full.Ip);
        Assert.Equal(["untrusted"], full.Flags);
    }

    [Theory]
    [InlineData("mac=00:16:3e:00:00", "mac '00:16:3e:00:00' is not six hex octets separated by ':'")]
    [InlineData("mac=03:16:3e:00:00:01", "mac '03:16:3e:00:00:01' is a multicast address")]
    [InlineData("bridge", "'bridge' is not key=value")]
    [InlineData("colour=red", "unknown parameter 'colour'")]
    [InlineData("type=tap", "unknown type 'tap' (ioemu, vif)")]
    [InlineData("ip=300.1.1.1", "ip '300.1.1.1' is not an IP address")]
    [InlineData("rate=fast", "rate 'fast' is not RATE/s[@INTERVAL] (e.g. 10Mb/s@20ms)")]
    [InlineData("mtu=20", "mtu '20' is not a number from 68 to 65535")]
    [InlineData("devid=-1", "devid '-1' is not a number from 0 to 65535")]
    [InlineData("bridge=a,bridge=b", "parameter 'bridge' is given twice")]
    public void Bad_vif_specs_say_why(string spec, string expected)
    {
        Assert.Null(VifSpecParser.Parse(spec, out string? error));
        Assert.Equal(expected, error);
    }
}
