using Micro.Kernel.Boot;
using Micro.Kernel.Exits;
using Micro.Kernel.Hypercalls;
using Micro.Kernel.Kvm;
using Micro.Kernel.Memory;

namespace Micro.Kernel.Domains;

/// <summary>
/// A guest domain on KVM: its RAM (a memfd), its VM, one thread per vCPU, its console log and how it
/// ended. Created paused; <see cref="Start"/> runs it; <see cref="Dispose"/> destroys it.
/// </summary>
public sealed unsafe class HostedDomain : IDisposable
{
    private readonly ManualResetEventSlim _stopped = new();
    private readonly object _lock = new();
    private ShutdownReason? _reason;

    public int DomId { get; }
    public GuestMemoryFd Memory { get; }
    public KvmVm Vm { get; }
    public Vcpu[] Vcpus { get; }
    public ConsoleLog Console { get; }
    public CoreLog Log { get; }
    public ExitDispatcher Exits { get; }
    public UpcallInjector Upcalls { get; }

    /// <summary>Where the guest asked for its hypercall page (0 until it writes the MSR).</summary>
    public ulong HypercallPageGpa { get; internal set; }

    public HostedDomain(KvmSystem kvm, int domid, HypercallHandler hypercalls, CoreLog log,
        ulong ramSize = GuestLayout.DefaultRamSize, int vcpus = 1, TextWriter? consoleEcho = null)
    {
        DomId = domid;
        Log = log;
        Console = new ConsoleLog(domid, consoleEcho);
        Memory = new GuestMemoryFd($"micro-d{domid}-ram", ramSize);
        Vm = kvm.CreateVm();
        Vm.MapMemory(0, Memory.Host, ramSize);
        Vm.TrapMsr(CpuidXenLeaves.HypercallMsr);
        LongModeBoot.WriteTables(Memory);
        Vcpus = new Vcpu[vcpus];
        for (int i = 0; i < vcpus; i++)
            Vcpus[i] = new Vcpu(this, Vm.CreateVcpu(i));
        Exits = new ExitDispatcher(this, hypercalls);
        Upcalls = new UpcallInjector(this);
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

    public void Start()
    {
        Log.Write($"d{DomId}: started");
        Vcpus[0].Start();
    }

    public bool IsShutDown => Volatile.Read(ref _reasonSet);
    private bool _reasonSet;

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

    /// <summary>Waits for the domain to shut down; null on timeout.</summary>
    public ShutdownReason? WaitForShutdown(TimeSpan timeout) => _stopped.Wait(timeout) ? Reason : null;

    public void Dispose()
    {
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
        foreach (var v in Vcpus)
            v.Dispose();
        Vm.Dispose();
        Memory.Dispose();
        Log.Write($"d{DomId}: destroyed");
    }
}
