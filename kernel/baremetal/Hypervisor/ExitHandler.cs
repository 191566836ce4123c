using Micro.BareMetal.Platform;
using Micro.Core.Domains;

namespace Micro.BareMetal.Hypervisor;

/// <summary>
/// Handles one vCPU exit of a bare-metal guest: CPUID (Xen's leaves), the hypercall-page MSR, VMMCALL
/// into the portable core's dispatcher, port I/O (the guest's UART and port 0xE9 become its console),
/// HLT. Anything illegal (touching memory it does not have, a triple fault, an instruction the
/// hypervisor does not emulate) crashes that domain alone and is reported on the serial port.
/// </summary>
internal sealed unsafe class ExitHandler
{
    private const uint XenBase = 0x40000000, HypercallMsr = 0x40000000;
    private readonly Micro.Core.Hypervisor _core;

    public ExitHandler(Micro.Core.Hypervisor core) => _core = core;

    public void Handle(BareMetalDomain d, VirtualCpu vcpu, in VcpuExit exit)
    {
        switch (exit.Kind)
        {
            case ExitKind.Cpuid:
                Cpuid(vcpu);
                vcpu.Skip();
                break;
            case ExitKind.Hlt:
                vcpu.Skip();
                if (!d.UpcallPending)
                    d.BlockVcpu(0, 0);
                break;
            case ExitKind.Hypercall:
                {
                    Domain core = d.Core!;
                    long rc = _core.Hypercalls.Dispatch(core, 0, vcpu.Rax, vcpu.Rdi, vcpu.Rsi, vcpu.Rdx, vcpu.R10, vcpu.R8);
                    vcpu.Rax = (ulong)rc;
                    vcpu.Skip();
                    break;
                }
            case ExitKind.MsrWrite:
                if (exit.Operand == HypercallMsr && !WriteHypercallPage(d, (vcpu.Rdx << 32) | (vcpu.Rax & 0xFFFFFFFF)))
                {
                    Crash(d, vcpu, "hypercall page outside guest memory", 0);
                    return;
                }
                vcpu.Skip();
                break;
            case ExitKind.MsrRead:
                vcpu.Rax = 0; // MSRs the hypervisor does not know read as zero
                vcpu.Rdx = 0;
                vcpu.Skip();
                break;
            case ExitKind.PortIo:
                PortIo(d, vcpu, exit);
                vcpu.Skip();
                break;
            case ExitKind.NestedPageFault:
                Crash(d, vcpu, "touched unmapped guest-physical memory at", exit.Operand);
                break;
            case ExitKind.Shutdown:
                Crash(d, vcpu, "triple fault", 0);
                break;
            default:
                Crash(d, vcpu, "unsupported exit, code", exit.HardwareCode);
                break;
        }
    }

    private static void Cpuid(VirtualCpu vcpu)
    {
        uint leaf = (uint)vcpu.Rax, subleaf = (uint)vcpu.Rcx;
        CpuidResult r;
        if (leaf == XenBase)
            r = new CpuidResult { Eax = XenBase + 2, Ebx = 0x566E6558, Ecx = 0x65584D4D, Edx = 0x4D4D566E }; // "XenVMMXenVMM"
        else if (leaf == XenBase + 1)
            r = new CpuidResult { Eax = (4 << 16) | 17 };
        else if (leaf == XenBase + 2)
            r = new CpuidResult { Eax = 1, Ebx = HypercallMsr };
        else if ((leaf & 0xFFFF0000) == XenBase || leaf == 0x8000000A)
            r = default;
        else
        {
            r = Platform.Cpu.Cpuid(leaf, subleaf);
            if (leaf == 1)
                r.Ecx |= 1u << 31;          // running under a hypervisor
            if (leaf == 0x80000001)
                r.Ecx &= ~(1u << 2);        // no nested SVM
        }
        vcpu.Rax = r.Eax;
        vcpu.Rbx = r.Ebx;
        vcpu.Rcx = r.Ecx;
        vcpu.Rdx = r.Edx;
    }

    /// <summary>Fills the guest page named by the MSR value with 32-byte stubs: mov eax, n; vmmcall; ret.</summary>
    private static bool WriteHypercallPage(BareMetalDomain d, ulong value)
    {
        byte* page = d.Ram.Translate(value & ~0xFFFUL, 4096);
        if (page == null)
            return false;
        for (int i = 0; i < 4096; i++)
            page[i] = 0xCC;
        for (int n = 0; n < 128; n++)
        {
            byte* stub = page + (n * 32);
            stub[0] = 0xB8;
            *(int*)(stub + 1) = n;
            stub[5] = 0x0F;
            stub[6] = 0x01;
            stub[7] = 0xD9;
            stub[8] = 0xC3;
        }
        return true;
    }

    private static void PortIo(BareMetalDomain d, VirtualCpu vcpu, in VcpuExit exit)
    {
        ulong port = exit.Operand;
        if (!exit.IsInput)
        {
            if (port == 0x3F8 || port == 0xE9)
                d.ConsoleByte((uint)(vcpu.Rax & 0xFF));
            return;
        }
        ulong mask = exit.Size == 1 ? 0xFFUL : exit.Size == 2 ? 0xFFFFUL : 0xFFFFFFFFUL;
        ulong value = port == 0x3FD ? 0x60 : mask; // UART: transmitter empty; nothing else is there
        vcpu.Rax = (vcpu.Rax & ~mask) | (value & mask);
    }

    private void Crash(BareMetalDomain d, VirtualCpu vcpu, string reason, ulong detail)
    {
        d.FlushLine();
        Serial.Write("micro: d");
        Serial.WriteDec(d.Id);
        Serial.Write(" crashed: ");
        Serial.Write(reason);
        Serial.Write(" ");
        Serial.WriteHex(detail);
        Serial.Write(" (rip ");
        Serial.WriteHex(vcpu.Rip);
        Serial.WriteLine(")");
        _core.Lock.Enter();
        _core.DomainOps.Shutdown(d.Core!, ShutdownReason.Crash);
        _core.Lock.Exit();
    }
}
