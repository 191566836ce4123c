using System.Buffers.Binary;
using Micro.Core;
using Micro.Core.Domains;
using Micro.Guests.Runtime;
using Micro.Guests.Tests;
using Micro.Kernel.Supervision;
using Micro.Testing;

namespace Micro.Kernel.Tests;

public sealed class GrantTests
{
    [KvmFact]
    public void A_guests_grant_is_mapped_by_its_device_model_refused_to_others_and_gone_once_revoked()
    {
        using var runner = new GuestRunner();
        var guest = runner.Create(GrantGuest.Build());
        using var dm = new ServiceDomainLink(runner.Core, ServiceRole.DeviceModel, guest.DomId);
        using var console = new ServiceDomainLink(runner.Core, ServiceRole.Console);
        Assert.Equal(GrantGuest.Grantee, dm.Domain.Id);
        var services = runner.Core.Hypervisor.Services;
        guest.Start();
        Peers.WaitUntil(() => guest.Console.Text.Contains("granted", StringComparison.Ordinal), TimeSpan.FromSeconds(30), () => runner.Describe(guest));

        // The privileged grantee maps the frame the guest named, and it holds what the guest wrote.
        Assert.Equal(0, services.GrantMap(dm.Domain, guest.DomId, GrantGuest.Ref, readOnly: false, out int handle, out ulong gfn, out _));
        Assert.Equal(GuestMap.GrantPage >> 12, gfn);
        Assert.Equal(GrantGuest.Pattern, BinaryPrimitives.ReadUInt32LittleEndian(guest.Memory.Span(gfn << 12, 4)));

        // A service without the privilege, a ref out of range and a ref never granted.
        Assert.Equal(-Errno.EPERM, services.GrantMap(console.Domain, guest.DomId, GrantGuest.Ref, true, out _, out _, out _));
        Assert.True(runner.Log.Contains($"d{console.Domain.Id}"), string.Join('\n', runner.Log.Lines));
        Assert.Equal(-Errno.EINVAL, services.GrantMap(dm.Domain, guest.DomId, 5000, true, out _, out _, out _));
        Assert.True(services.GrantMap(dm.Domain, guest.DomId, GrantGuest.Ref + 1, true, out _, out _, out _) < 0);
        Assert.Equal(0, services.GrantUnmap(dm.Domain, handle));
        Assert.Equal(-Errno.EINVAL, services.GrantUnmap(dm.Domain, handle));

        // Revoked: the same ref no longer maps.
        BinaryPrimitives.WriteInt32LittleEndian(guest.Memory.Span(GrantGuest.Signal, 4), 1);
        Peers.WaitUntil(() => guest.Console.Text.Contains("revoked", StringComparison.Ordinal), TimeSpan.FromSeconds(30), () => runner.Describe(guest));
        Assert.True(services.GrantMap(dm.Domain, guest.DomId, GrantGuest.Ref, true, out _, out _, out int status) < 0, $"GNTST {status}");
        BinaryPrimitives.WriteInt32LittleEndian(guest.Memory.Span(GrantGuest.Signal, 4), 2);
        runner.WaitAll(guest);
        Assert.True(guest.Console.Text.Contains("Test result: SUCCESS", StringComparison.Ordinal), runner.Describe(guest));
    }
}
