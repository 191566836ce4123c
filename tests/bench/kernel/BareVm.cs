using Micro.Guests.Runtime;
using Micro.Kernel.Boot;
using Micro.Kernel.Kvm;
using Micro.Kernel.Memory;

namespace Micro.Bench.Kernel;

/// <summary>A bare KVM VM (memfd RAM, one vCPU, long-mode tables, the hypercall MSR trapped) with no domain in any core.</summary>
internal sealed class BareVm : IDisposable
{
    public GuestMemoryFd Memory { get; }
    public KvmVm Vm { get; }
    public KvmVcpu Vcpu { get; }

    public unsafe BareVm(KvmSystem kvm, GuestImage image, ulong ramSize = GuestLayout.DefaultRamSize)
    {
        Memory = new GuestMemoryFd("micro-bench-ram", ramSize);
        Vm = kvm.CreateVm();
        Vm.MapMemory(0, Memory.Host, ramSize);
        Vm.TrapMsr(Micro.Kernel.Kvm.CpuidXenLeaves.HypercallMsr);
        LongModeBoot.WriteTables(Memory);
        Vcpu = Vm.CreateVcpu(0);
        image.Bytes.CopyTo(Memory.Span(image.LoadAddress, (ulong)image.Bytes.Length));
        LongModeBoot.Enter(Vcpu, image.Entry);
    }

    public long Run() => RawExitLoop.Run(Vcpu, Memory);

    public void Dispose()
    {
        Vcpu.Dispose();
        Vm.Dispose();
        Memory.Dispose();
    }
}
