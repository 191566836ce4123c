using Micro.Kernel.Kvm;

namespace Micro.Kernel.Domains;

/// <summary>
/// Delivers the event-channel upcall to a vCPU as the vector the guest chose with
/// HVM_PARAM_CALLBACK_IRQ. There is no in-kernel irqchip, so the vector is injected with
/// KVM_INTERRUPT when the guest can take it, else KVM is asked for an interrupt window.
/// </summary>
public sealed class UpcallInjector(HostedDomain domain)
{
    private readonly bool[] _pending = new bool[domain.Vcpus.Length];

    /// <summary>The callback vector (0: none; the guest polls shared_info instead).</summary>
    public byte Vector { get; set; }

    /// <summary>Marks an upcall pending on <paramref name="vcpu"/> and gets that vCPU to take it.</summary>
    public void Raise(Vcpu vcpu)
    {
        Volatile.Write(ref _pending[vcpu.Id], true);
        vcpu.Interrupt();
    }

    public bool Pending(Vcpu vcpu) => Volatile.Read(ref _pending[vcpu.Id]);

    internal void BeforeRun(Vcpu vcpu)
    {
        ref KvmRun run = ref vcpu.Kvm.RunState;
        if (!Volatile.Read(ref _pending[vcpu.Id]) || Vector == 0)
        {
            run.RequestInterruptWindow = 0;
            return;
        }
        if (run.ReadyForInterruptInjection != 0 && run.IfFlag != 0)
        {
            Volatile.Write(ref _pending[vcpu.Id], false);
            run.RequestInterruptWindow = 0;
            vcpu.Kvm.Interrupt(Vector);
        }
        else
        {
            run.RequestInterruptWindow = 1;
        }
    }
}
