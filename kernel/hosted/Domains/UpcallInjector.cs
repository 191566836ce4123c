using Micro.Core.Domains;
using Micro.Kernel.Kvm;

namespace Micro.Kernel.Domains;

/// <summary>
/// Delivers the event-channel upcall to a vCPU as the vector the guest chose (HVM_PARAM_CALLBACK_IRQ or
/// HVMOP_set_evtchn_upcall_vector). As in Xen, the vector stays asserted while the vCPU's
/// evtchn_upcall_pending is set. There is no in-kernel irqchip, so the vector is injected with
/// KVM_INTERRUPT when the guest can take it, else KVM is asked to exit at the next interrupt window.
/// </summary>
public sealed unsafe class UpcallInjector(HostedDomain domain)
{
    /// <summary>The core raised the upcall: get the vCPU out of the guest (or out of its sleep) to take it.</summary>
    public void Raise(Vcpu vcpu) => vcpu.Interrupt();

    /// <summary>evtchn_upcall_pending of the vCPU (a racy byte read is fine: a stale answer only costs a round).</summary>
    public bool Pending(Vcpu vcpu) => domain.CoreDomain.VcpuInfo(vcpu.Id)[SharedInfoLayout.UpcallPending] != 0;

    internal void BeforeRun(Vcpu vcpu)
    {
        ref KvmRun run = ref vcpu.Kvm.RunState;
        int vector = domain.CoreDomain.UpcallVector(vcpu.Id);
        if (vector == 0 || !Pending(vcpu))
        {
            run.RequestInterruptWindow = 0;
            return;
        }
        if (run.ReadyForInterruptInjection != 0 && run.IfFlag != 0)
        {
            run.RequestInterruptWindow = 0;
            vcpu.Kvm.Interrupt((uint)vector);
        }
        else
        {
            run.RequestInterruptWindow = 1;
        }
    }
}
