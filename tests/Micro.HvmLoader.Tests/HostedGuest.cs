using Micro.HvmLoader.Boot;
using Micro.Kernel.Boot;
using Micro.Kernel.Core;
using Micro.Kernel.Domains;
using Micro.Kernel.Ioreq;
using Micro.Kernel.Kvm;
using Micro.Kernel.Supervision;
using Micro.Testing;
using Micro.UartStub;

namespace Micro.HvmLoader.Tests;

/// <summary>
/// One guest on this machine's KVM built by hvmloader: the hosted core and domain, hvmloader's
/// regions copied into its RAM, the entry state applied, and the UART stub device model (a real
/// sandboxed process) attached to ports 0x3f8..0x3ff. Disposal ends the guest and the process.
/// </summary>
internal sealed unsafe class HostedGuest : IDisposable
{
    private readonly string _runDir = Directory.CreateTempSubdirectory("micro-hvmloader-").FullName;
    private readonly KvmSystem _kvm;
    private readonly HostedCore _core;
    private readonly DeviceModelLink _link;
    private readonly ServiceSupervisor _supervisor;
    private readonly List<(nint Memory, uint Slot, ulong Gpa)> _roms = [];

    public KernelLog Log { get; } = new();
    public HostedDomain Domain { get; }

    public HostedGuest(HvmBuild build)
    {
        Requirements.Kvm();
        _kvm = new KvmSystem();
        _core = new HostedCore(Log);
        Domain = new HostedDomain(_core, _kvm, build.Image.Config.MemoryBytes, build.Image.Config.Vcpus);
        foreach (var r in build.Image.Regions)
        {
            if (Domain.Memory.Contains(r.Gpa, (ulong)r.Bytes.Length))
                r.Bytes.CopyTo(Domain.Memory.Span(r.Gpa, (ulong)r.Bytes.Length));
            else
                MapRom(r);
        }
        Enter(Domain.Vcpus[0].Kvm, build.Entry);

        _link = new DeviceModelLink(Domain);
        _supervisor = new ServiceSupervisor(_runDir, Log);
        uint uid = 60201;
        _supervisor.Start(new ServiceSpec($"uart-d{Domain.DomId}", Dotnet, [UartStubDll(), "{socket}", Domain.DomId.ToString(), "0"], uid, uid, _link));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!Domain.Exits.PortIo.TryFind(0x3F8, out _))
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("the UART device model did not register:\n" + string.Join('\n', Log.Lines));
            Thread.Sleep(5);
        }
    }

    /// <summary>A region outside RAM (the BIOS image below 4 GiB) becomes a read-only KVM memory slot, as a ROM.</summary>
    private void MapRom(GuestRegion r)
    {
        Assert.True(r.Gpa % 4096 == 0 && r.Bytes.Length % 4096 == 0, $"{r.What} at {r.Gpa:x} is not page-granular");
        nint memory = (nint)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)r.Bytes.Length, 4096);
        r.Bytes.CopyTo(new Span<byte>((void*)memory, r.Bytes.Length));
        uint slot = Domain.Vm.MapMemory(r.Gpa, (byte*)memory, (ulong)r.Bytes.Length, readOnly: true);
        _roms.Add((memory, slot, r.Gpa));
    }

    /// <summary>Everything the guest sent to the UART so far.</summary>
    public string Uart => System.Text.Encoding.ASCII.GetString(UartState.Transmitted(_link.State.Pointer, _link.State.Length));

    /// <summary>Runs the guest until it shuts down (bounded) and returns how it ended.</summary>
    public ShutdownReason? Run(TimeSpan timeout)
    {
        Domain.Start();
        return Domain.WaitForShutdown(timeout);
    }

    public string Describe() => $"uart:\n{Uart}\ncore log:\n{string.Join('\n', Log.Lines)}";

    private static void Enter(KvmVcpu vcpu, VcpuEntry e)
    {
        switch (e.Mode)
        {
            case EntryMode.Protected32:
                LoaderEntry.Protected32(vcpu, (uint)e.Rip, (uint)e.Rax, (uint)e.Rbx, e.GdtBase, e.GdtLimit, e.CodeSelector, e.DataSelector);
                break;
            case EntryMode.Long64:
                LoaderEntry.Long64(vcpu, e.Rip, e.Rsi, e.Cr3, e.GdtBase, e.GdtLimit, e.CodeSelector, e.DataSelector);
                break;
            default:
                LoaderEntry.Reset(vcpu);
                break;
        }
    }

    private static string Dotnet => Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";

    private static string UartStubDll()
    {
        string config = AppContext.BaseDirectory.Contains("/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";
        string dll = Path.Combine(Requirements.RepoRoot(), "tests", "peers", "uartstub", "bin", config, "net10.0", "micro-uartstub.dll");
        return File.Exists(dll) ? dll : throw new InvalidOperationException($"{dll} is missing: build tests/peers/uartstub");
    }

    public void Dispose()
    {
        _supervisor.Dispose();
        Domain.Dispose();
        foreach (var (memory, _, _) in _roms)
            System.Runtime.InteropServices.NativeMemory.AlignedFree((void*)memory); // the VM, and with it the slot, is gone
        _link.Dispose();
        _kvm.Dispose();
        _core.Dispose();
        Directory.Delete(_runDir, recursive: true);
    }
}
