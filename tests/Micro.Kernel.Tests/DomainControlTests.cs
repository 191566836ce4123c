using Micro.Core.Domains;
using Micro.Guests.Tests;
using Micro.Kernel.Supervision;
using Micro.Protocol.Messages;
using Micro.Testing;

namespace Micro.Kernel.Tests;

/// <summary>Domain control over a service's link: the toolstack builds, runs, lists and destroys a guest; others get EPERM.</summary>
public sealed class DomainControlTests
{
    private static Message Call(ServiceDomainLink link, Message request) =>
        link.Handle(new ServiceRecord(new ServiceSpec("caller", "none", [], 1, 1, link)), request).Message;

    private static T Expect<T>(ServiceDomainLink link, Message request) where T : Message
    {
        var reply = Call(link, request);
        return reply as T ?? throw new Xunit.Sdk.XunitException($"{request} answered {reply}");
    }

    private static void Refused(ServiceDomainLink link, Message request, int errno)
    {
        var reply = Call(link, request);
        Assert.True(reply is ErrorReply e && e.Errno == errno, $"{request} answered {reply}, expected errno {errno}");
    }

    [KvmFact]
    public void The_toolstack_creates_loads_runs_lists_and_destroys_a_guest_and_nobody_else_may()
    {
        using var runner = new GuestRunner();
        using var toolstack = new ServiceDomainLink(runner.Core, ServiceRole.Toolstack, kvm: runner.Kvm);
        using var console = new ServiceDomainLink(runner.Core, ServiceRole.Console, kvm: runner.Kvm);
        var image = HelloGuest.Build();

        Refused(console, new DomainCreate("nope", 16, 1), 1);
        Refused(toolstack, new DomainCreate("too-big", 1 << 20, 1), 22);
        ushort domid = Expect<DomainCreateReply>(toolstack, new DomainCreate("hello", 16, 1)).Domid;
        var info = Expect<DomainInfoReply>(toolstack, new DomainGetInfo(domid)).Info;
        Assert.Equal(("hello", DomainRunState.Constructing, 16u * 1024, 1u), (info.Name, info.State, (uint)info.MemoryKiB, info.Vcpus));

        // Load the image in chunks, as a toolstack does; nobody else may write it.
        for (int offset = 0; offset < image.Bytes.Length; offset += 4096)
        {
            byte[] chunk = image.Bytes.AsSpan(offset, Math.Min(4096, image.Bytes.Length - offset)).ToArray();
            Expect<OkReply>(toolstack, new DomainWriteMemory(domid, image.LoadAddress + (ulong)offset, chunk));
        }
        Refused(console, new DomainWriteMemory(domid, image.LoadAddress, [0xF4]), 1);
        Refused(toolstack, new DomainWriteMemory(domid, 15UL << 20, new byte[2 << 20]), 14); // past its RAM
        Refused(console, new DomainSetEntry(domid, image.Entry), 1);
        Expect<OkReply>(toolstack, new DomainSetEntry(domid, image.Entry));
        Expect<OkReply>(toolstack, new SetHvmParam(domid, (uint)HvmParam.STORE_PFN, 0xFEFFF));
        Assert.Equal(new DomainRingsReply(0xFEFFF, 0, 0, 0), Expect<DomainRingsReply>(toolstack, new DomainRings(domid)));
        Refused(console, new DomainUnpause(domid), 1);
        Refused(console, new DomainList(), 1);
        Refused(console, new DomainGetInfo(domid), 1);

        Expect<OkReply>(toolstack, new DomainUnpause(domid));
        Peers.WaitUntil(() => Expect<DomainInfoReply>(toolstack, new DomainGetInfo(domid)).Info.State == DomainRunState.Shutdown,
            TimeSpan.FromSeconds(30), () => string.Join('\n', runner.Log.Lines));
        info = Expect<DomainInfoReply>(toolstack, new DomainGetInfo(domid)).Info;
        Assert.Equal(DomainDeathReason.Poweroff, info.Reason);
        Assert.True(info.CpuTimeNs > 0);
        Refused(toolstack, new DomainWriteMemory(domid, image.LoadAddress, [0xF4]), 1); // no longer under construction

        var list = Expect<DomainListReply>(toolstack, new DomainList()).Domains;
        Assert.Contains(list, d => d.Domid == domid && d.Name == "hello");
        Assert.Contains(list, d => d.Domid == toolstack.Domain.Id);

        Refused(console, new DomainDestroy(domid), 1);
        Expect<OkReply>(toolstack, new DomainDestroy(domid));
        Refused(toolstack, new DomainGetInfo(domid), 3);
        Assert.DoesNotContain(Expect<DomainListReply>(toolstack, new DomainList()).Domains, d => d.Domid == domid);
        Assert.True(runner.Log.Contains($"d{console.Domain.Id}: refusal: domain_build"), string.Join('\n', runner.Log.Lines));
    }

    [KvmFact]
    public void A_watching_toolstack_process_is_told_when_a_guest_shuts_down_and_a_console_service_may_not_watch()
    {
        using var runner = new GuestRunner();
        using var toolstack = new ServiceDomainLink(runner.Core, ServiceRole.Toolstack);
        using var console = new ServiceDomainLink(runner.Core, ServiceRole.Console);
        Refused(console, new DomainWatch(), 1);
        var guest = runner.Create(HelloGuest.Build());
        string runDir = Directory.CreateTempSubdirectory("micro-watch-").FullName;
        try
        {
            using (var supervisor = new ServiceSupervisor(runDir, runner.Log))
            {
                var watcher = supervisor.Start(new ServiceSpec("watcher", Peers.Dotnet, [Peers.Dll("echoservice", "micro-echoservice"), "--watch", "{socket}"], 60106, 60106, toolstack));
                Peers.WaitUntil(() => toolstack.Watching, TimeSpan.FromSeconds(30), () => string.Join('\n', runner.Log.Lines));
                guest.Start();
                runner.WaitAll(guest);
                Peers.WaitUntil(() => watcher.LastExit.Length > 0, TimeSpan.FromSeconds(30), () => string.Join('\n', runner.Log.Lines));
                Assert.True(watcher.LastExit == "exit code 0", string.Join('\n', runner.Log.Lines));
            }
            Assert.True(runner.Log.Contains($"watch: d{guest.DomId} Poweroff"), string.Join('\n', runner.Log.Lines));
        }
        finally
        {
            Directory.Delete(runDir, recursive: true);
        }
    }
}
