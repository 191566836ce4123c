using Micro.Kernel.Domains;
using Micro.Kernel.Hypercalls;
using Micro.Kernel.Kvm;
using Micro.Kernel.Memory;
using System.Runtime.CompilerServices;

namespace Micro.Kernel.Exits;

/// <summary>
/// Turns each KVM exit of a domain's vCPU into what it means: a hypercall (port I/O to the reserved
/// port), an ioreq for a device model, the hypercall-page MSR, a halt, or the end of the domain
/// (a triple fault is a crash). Nothing a guest does here may take down the core.
/// </summary>
public sealed unsafe class ExitDispatcher(HostedDomain domain)
{
    private const int MaxUnclaimedLogLines = 16;
    private int _unclaimedLogged;

    /// <summary>Port-I/O ranges served by device models (Xen's ioreq servers).</summary>
    public Ioreq.IoRangeTable PortIo { get; } = new();

    public void Handle(Vcpu vcpu, uint reason)
    {
        ref KvmRun run = ref vcpu.Kvm.RunState;
        switch (reason)
        {
            case KvmExitReason.IO:
                HandleIo(vcpu, ref run);
                break;
            case KvmExitReason.MMIO:
                Unclaimed(vcpu, $"MMIO {(run.MmioIsWrite != 0 ? "write" : "read")} at {run.MmioPhysAddr:x} ({run.MmioLen} bytes)");
                if (run.MmioIsWrite == 0)
                    run.MmioData = ulong.MaxValue;
                break;
            case KvmExitReason.HLT:
                vcpu.Block(() => domain.Upcalls.Pending(vcpu));
                break;
            case KvmExitReason.X86_WRMSR:
                WriteMsr(vcpu, ref run);
                break;
            case KvmExitReason.X86_RDMSR:
                run.MsrData = run.MsrIndex == CpuidXenLeaves.HypercallMsr ? domain.HypercallPageGpa : 0;
                run.MsrError = 0;
                break;
            case KvmExitReason.IRQ_WINDOW_OPEN:
                break; // BeforeRun injects
            case KvmExitReason.SHUTDOWN:
                domain.Crash($"vCPU {vcpu.Id} triple fault at rip {vcpu.Kvm.GetRegs().Rip:x}");
                break;
            case KvmExitReason.FAIL_ENTRY:
                domain.Crash($"vCPU {vcpu.Id} entry failed (hardware reason {run.FailEntryReason:x})");
                break;
            case KvmExitReason.INTERNAL_ERROR:
                domain.Crash($"vCPU {vcpu.Id} KVM internal error (suberror {run.InternalSuberror})");
                break;
            default:
                domain.Crash($"vCPU {vcpu.Id} unexpected exit {KvmExitReason.Name(reason)}");
                break;
        }
    }

    private void HandleIo(Vcpu vcpu, ref KvmRun run)
    {
        byte* data = (byte*)Unsafe.AsPointer(ref run) + run.IoDataOffset;
        if (run.IoPort == HypercallPage.Port && run.IoDirection == KvmRun.KVM_EXIT_IO_OUT && run.IoSize == 4 && run.IoCount == 1)
        {
            var r = vcpu.Kvm.GetRegs();
            long result = domain.Core.Hypervisor.Hypercalls.Dispatch(domain.CoreDomain, vcpu.Id, r.Rax & 0xFFFFFFFF, r.Rdi, r.Rsi, r.Rdx, r.R10, r.R8);
            vcpu.Kvm.SetRax((ulong)result);
            return;
        }
        if (PortIo.TryFind(run.IoPort, out var server))
        {
            server.Forward(vcpu, ref run, data);
            return;
        }
        Unclaimed(vcpu, $"port {run.IoPort:x} {(run.IoDirection == KvmRun.KVM_EXIT_IO_OUT ? "write" : "read")} ({run.IoSize} bytes x{run.IoCount})");
        if (run.IoDirection == KvmRun.KVM_EXIT_IO_IN)
            new Span<byte>(data, run.IoSize * (int)run.IoCount).Fill(0xFF); // nothing there: the bus floats high
    }

    private void WriteMsr(Vcpu vcpu, ref KvmRun run)
    {
        ulong gpa = run.MsrData & ~(GuestLayout.PageSize - 1);
        if (run.MsrIndex != CpuidXenLeaves.HypercallMsr || (run.MsrData & 0xFFF) != 0 || !domain.Memory.TryGetSpan(gpa, GuestLayout.PageSize, out var page))
        {
            domain.Log.Write($"d{domain.DomId}v{vcpu.Id}: wrmsr {run.MsrIndex:x} <- {run.MsrData:x} refused (#GP)");
            run.MsrError = 1;
            return;
        }
        HypercallPage.Fill(page);
        domain.HypercallPageGpa = gpa;
        run.MsrError = 0;
    }

    private void Unclaimed(Vcpu vcpu, string what)
    {
        if (Interlocked.Increment(ref _unclaimedLogged) <= MaxUnclaimedLogLines)
            domain.Log.Write($"d{domain.DomId}v{vcpu.Id}: unclaimed {what}");
    }
}
