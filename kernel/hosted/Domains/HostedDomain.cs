using Micro.Kernel.Boot;
using Micro.Kernel.Core;
using Micro.Kernel.Exits;
using Micro.Kernel.Kvm;
using Micro.Kernel.Memory;
using CoreDomains = Micro.Core.Domains;

namespace Micro.Kernel.Domains;

/// <summary>
/// A guest domain on KVM: its RAM (a memfd), its VM, one thread per vCPU, its console log and how it
/// ended. It is the portable core's <see cref="CoreDomains.DomainSubstrate"/> for this domain: the core
/// decides (events, blocking, shutdown) and this class makes the vCPUs follow.
/// Created paused; <see cref="Start"/> runs it; <see cref="Dispose"/> destroys it.
/// </summary>
public sealed unsafe class HostedDomain : CoreDomains.DomainSubstrate, IDisposable
{
    private readonly ManualResetEventSlim _stopped = new();
    private readonly object _lock = new();
    private readonly List<(ulong Gpa, uint Slot, nint Host)> _foreign = [];
    private ShutdownReason? _reason;
    private bool _reasonSet;
    private bool _started;

    public HostedCore Core { get; }
    public CoreDomains.Domain CoreDomain { get; }
    public int DomId => CoreDomain.Id;
    public GuestMemoryFd Memory { get; }
    public KvmVm Vm { get; }
    public Vcpu[] Vcpus { get; }
    public ConsoleLog Console { get; }
    public KernelLog Log => Core.Log;
    public ExitDispatcher Exits { get; }
    public UpcallInjector Upcalls { get; }

    /// <summary>Where the guest asked for its hypercall page (0 until it writes the MSR).</summary>
    public ulong HypercallPageGpa { get; internal set; }

    /// <summary>What the toolstack called it (the core itself knows domains by id only).</summary>
    public string Name { get; set; } = "";

    /// <param name="creator">The service domain asking (the policy decides); null: the core itself, at boot or in tests.</param>
    public HostedDomain(HostedCore core, KvmSystem kvm, ulong ramSize = GuestLayout.DefaultRamSize, int vcpus = 1, TextWriter? consoleEcho = null,
        CoreDomains.Domain? creator = null)
    {
        Core = core;
        Memory = new GuestMemoryFd("micro-guest-ram", ramSize);
        Vm = kvm.CreateVm();
        Vm.MapMemory(0, Memory.Host, ramSize);
        Vm.TrapMsr(CpuidXenLeaves.HypercallMsr);
        LongModeBoot.WriteTables(Memory);
        Vcpus = new Vcpu[vcpus];
        for (int i = 0; i < vcpus; i++)
            Vcpus[i] = new Vcpu(this, Vm.CreateVcpu(i));
        Exits = new ExitDispatcher(this);
        Upcalls = new UpcallInjector(this);
        var config = CoreDomains.DomainConfig.Guest(vcpus);
        int rc = creator is null
            ? core.Hypervisor.CreateBootDomain(config, Memory, this, out var domain)
            : core.Hypervisor.Services.DomainCreate(creator, config, Memory, this, out domain);
        if (rc < 0 || domain is null)
        {
            DisposeResources();
            throw new InvalidOperationException($"the core refused to create a guest domain (errno {-rc})");
        }
        CoreDomain = domain;
        Console = new ConsoleLog(domain.Id, consoleEcho);
    }

    /// <summary>Copies a flat guest image to <paramref name="loadAddress"/> and points vCPU 0 at <paramref name="entry"/>.</summary>
    public void Load(ReadOnlySpan<byte> image, ulong loadAddress, ulong entry)
    {
        if (loadAddress < GuestLayout.ImageBase || !Memory.Contains(loadAddress, (ulong)image.Length)
            || loadAddress + (ulong)image.Length > GuestLayout.StorePfn(Memory.Size) * GuestLayout.PageSize)
            throw new ArgumentOutOfRangeException(nameof(loadAddress), $"image of {image.Length} bytes at {loadAddress:x} does not fit the guest's RAM");
        if (entry < loadAddress || entry >= loadAddress + (ulong)image.Length)
            throw new ArgumentOutOfRangeException(nameof(entry), $"entry {entry:x} is outside the image");
        image.CopyTo(Memory.Span(loadAddress, (ulong)image.Length));
        LongModeBoot.Enter(Vcpus[0].Kvm, entry);
    }

    /// <summary>Runs vCPU 0 (the others wait for VCPUOP_up, which the test guests do not use).</summary>
    public void Start()
    {
        lock (_lock)
        {
            if (_started)
                return;
            _started = true;
        }
        Log.Write($"d{DomId}: started");
        Vcpus[0].Start();
    }

    public bool IsShutDown => Volatile.Read(ref _reasonSet);

    public ShutdownReason? Reason
    {
        get { lock (_lock) return _reason; }
    }

    /// <summary>Ends the domain once, with the first reason given; later calls are ignored.</summary>
    public void Shutdown(ShutdownReason reason, string detail)
    {
        lock (_lock)
        {
            if (_reason is not null)
                return;
            _reason = reason;
            Volatile.Write(ref _reasonSet, true);
        }
        Log.Write($"d{DomId}: shutdown ({reason.ToString().ToLowerInvariant()}): {detail}");
        foreach (var v in Vcpus)
            v.Interrupt();
        _stopped.Set();
    }

    /// <summary>The substrate's own verdicts (triple fault, failed entry) also end the domain in the core.</summary>
    public void Crash(string detail)
    {
        Shutdown(ShutdownReason.Crash, detail); // first, so the core's StateChanged below finds it done
        Core.Hypervisor.Lock.Enter();
        Core.Hypervisor.DomainOps.Shutdown(CoreDomain, CoreDomains.ShutdownReason.Crash);
        Core.Hypervisor.Lock.Exit();
    }

    /// <summary>Waits for the domain to shut down; null on timeout.</summary>
    public ShutdownReason? WaitForShutdown(TimeSpan timeout) => _stopped.Wait(timeout) ? Reason : null;

    // ---- DomainSubstrate: called by the portable core under its lock; quick, no calls back into it ----

    public override void RaiseUpcall(int vcpu) => Upcalls.Raise(Vcpus[vcpu]);

    public override void BlockVcpu(int vcpu, ulong timeoutNs) => Vcpus[vcpu].RequestBlock(timeoutNs);

    public override void WakeVcpu(int vcpu) => Vcpus[vcpu].Kick();

    public override void ConsoleWrite(byte* data, int length) => Console.Append(new ReadOnlySpan<byte>(data, length));

    public override void StateChanged(CoreDomains.DomainState state)
    {
        switch (state)
        {
            case CoreDomains.DomainState.Running:
                Start();
                break;
            case CoreDomains.DomainState.Shutdown:
                int reason = CoreDomain?.ShutdownReason ?? CoreDomains.ShutdownReason.Crash;
                Shutdown((ShutdownReason)reason, "SCHEDOP_shutdown");
                if (CoreDomain is not null)
                    Core.RaiseDomainDied(DomId, (Micro.Protocol.Messages.DomainDeathReason)reason);
                break;
            case CoreDomains.DomainState.Dying:
                Shutdown(ShutdownReason.Poweroff, "destroyed");
                if (CoreDomain is not null)
                    Core.RaiseDomainDied(DomId, Micro.Protocol.Messages.DomainDeathReason.Destroyed);
                break;
        }
    }

    /// <summary>
    /// Maps frame <paramref name="gfn"/> of another guest at <paramref name="address"/> of this one, as a
    /// KVM memory slot over the granter's memfd. Only outside this guest's RAM: KVM slots cannot overlap.
    /// </summary>
    public override int MapForeignFrame(ulong address, CoreDomains.Domain granter, ulong gfn, bool readOnly)
    {
        if ((address & (GuestLayout.PageSize - 1)) != 0 || address < Memory.Size || address >= 1UL << 30)
            return -Micro.Core.Errno.EINVAL;
        if (granter.Substrate is not HostedDomain source || !source.Memory.Contains(gfn * GuestLayout.PageSize, GuestLayout.PageSize))
            return -Micro.Core.Errno.EINVAL;
        lock (_foreign)
        {
            if (_foreign.Exists(f => f.Gpa == address))
                return -Micro.Core.Errno.EBUSY;
            nint host = KvmIoctls.Mmap(0, (nuint)GuestLayout.PageSize, readOnly ? 1 : 3, 1 /* MAP_SHARED */, source.Memory.Fd, (long)(gfn * GuestLayout.PageSize));
            if (host == -1)
                return -Micro.Core.Errno.ENOMEM;
            uint slot = Vm.MapMemory(address, (byte*)host, GuestLayout.PageSize, readOnly);
            _foreign.Add((address, slot, host));
        }
        return 0;
    }

    public override void UnmapForeignFrame(ulong address)
    {
        lock (_foreign)
        {
            int i = _foreign.FindIndex(f => f.Gpa == address);
            if (i < 0)
                return;
            var (gpa, slot, host) = _foreign[i];
            Vm.UnmapMemory(slot, gpa);
            KvmIoctls.Munmap(host, (nuint)GuestLayout.PageSize);
            _foreign.RemoveAt(i);
        }
    }

    public void Dispose()
    {
        if (CoreDomain is not null)
            Core.Hypervisor.DestroyDomain(CoreDomain);
        Shutdown(ShutdownReason.Poweroff, "destroyed");
        bool joined = true;
        foreach (var v in Vcpus)
            joined &= v.Join(TimeSpan.FromSeconds(5));
        if (!joined)
        {
            // A thread still inside KVM_RUN owns the kvm_run mapping: leak rather than unmap under it.
            Log.Write($"d{DomId}: a vCPU thread did not stop; its VM is leaked");
            return;
        }
        DisposeResources();
        Log.Write($"d{DomId}: destroyed");
    }

    private void DisposeResources()
    {
        foreach (var v in Vcpus)
            v?.Dispose();
        lock (_foreign)
        {
            foreach (var f in _foreign)
                KvmIoctls.Munmap(f.Host, (nuint)GuestLayout.PageSize);
            _foreign.Clear();
        }
        Vm.Dispose();
        Memory.Dispose();
    }
}
