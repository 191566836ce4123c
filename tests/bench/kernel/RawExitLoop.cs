using Micro.Kernel.Hypercalls;
using Micro.Kernel.Kvm;
using Micro.Kernel.Memory;

namespace Micro.Bench.Kernel;

/// <summary>
/// The baseline: a vCPU driven by a bare KVM_RUN loop on the calling thread that answers each exit with
/// the least possible work (no core, no dispatch): port reads return the UART's "transmitter empty",
/// hypercalls return 0, the hypercall MSR fills the page. Ends at the guest's SCHEDOP_shutdown.
/// </summary>
internal static unsafe class RawExitLoop
{
    private const ulong SchedOp = 29, SchedOpShutdown = 2;

    /// <summary>Runs to the guest's shutdown; returns the number of exits.</summary>
    public static long Run(KvmVcpu vcpu, GuestMemoryFd memory)
    {
        long exits = 0;
        while (true)
        {
            uint reason = vcpu.Run();
            exits++;
            ref KvmRun run = ref vcpu.RunState;
            switch (reason)
            {
                case KvmExitReason.IO when run.IoPort == HypercallPage.Port:
                    {
                        var regs = vcpu.GetRegs();
                        if ((regs.Rax & 0xFFFFFFFF) == SchedOp && regs.Rdi == SchedOpShutdown)
                            return exits;
                        vcpu.SetRax(0);
                        break;
                    }
                case KvmExitReason.IO:
                    if (run.IoDirection == KvmRun.KVM_EXIT_IO_IN)
                        *((byte*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref run) + run.IoDataOffset) = 0x20;
                    break;
                case KvmExitReason.X86_WRMSR:
                    HypercallPage.Fill(memory.Span(run.MsrData & ~0xFFFUL, GuestLayout.PageSize));
                    run.MsrError = 0;
                    break;
                case KvmExitReason.INTR:
                    break;
                default:
                    throw new InvalidOperationException($"raw loop: unexpected exit {KvmExitReason.Name(reason)}");
            }
        }
    }
}
