using Micro.Devices.Tests.Support;
using Micro.Guests.Tests;
using Micro.Kernel.Domains;
using Micro.Kernel.Ioreq;
using Micro.Kernel.Supervision;
using Micro.Protocol.Messages;
using Micro.Testing;

namespace Micro.Devices.Tests;

/// <summary>The platform devices as their own processes, serving a real guest on KVM.</summary>
public sealed class PlatformProcessTests
{
    [KvmFact]
    public void The_i8042_reset_line_reboots_the_domain_through_the_core()
    {
        using var h = new GuestHarness(KeyboardResetGuest.Build());
        var (i8042, _) = h.StartDevice("i8042", 0x64, DeviceModelGrants.None);
        Assert.Equal(ShutdownReason.Reboot, h.Run());
        Assert.Contains("self-test passed", h.Domain.Console.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("FAILURE", h.Domain.Console.Text, StringComparison.Ordinal);
        Assert.True(h.Log.Contains($"d{h.Domain.DomId}: device model requests reboot"), h.Describe());
        Assert.Equal(0, i8042.Restarts);
    }

    [KvmFact]
    public void A_device_model_may_not_claim_the_ports_of_another_device_model()
    {
        using var h = new GuestHarness(HelloGuest.Build());
        h.StartDevice("pci", 0xCF8, DeviceModelGrants.None);
        using var link = new DeviceModelLink(h.Domain);
        var intruder = new ServiceRecord(new ServiceSpec("intruder", "none", [], 0, 0, link));
        var reply = link.Handle(intruder, new IoreqServerRegister((ushort)h.Domain.DomId, IoreqKind.Port, 0xCFC, 0xCFC));
        Assert.Equal(Micro.Core.Errno.EBUSY, Assert.IsType<ErrorReply>(reply.Message).Errno);
        Assert.True(h.Log.Contains("intruder: ports [cfc, cfc] overlap another device model"), h.Describe());
    }
}
