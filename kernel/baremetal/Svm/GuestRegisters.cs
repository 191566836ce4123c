using System.Runtime.InteropServices;

namespace Micro.BareMetal.Svm;

/// <summary>The guest registers svm.asm swaps around VMRUN (rax and rsp live in the VMCB).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct GuestRegisters
{
    public ulong Rbx, Rcx, Rdx, Rsi, Rdi, Rbp, R8, R9, R10, R11, R12, R13, R14, R15;
}
