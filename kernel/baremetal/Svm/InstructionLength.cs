namespace Micro.BareMetal.Svm;

/// <summary>
/// Lengths of the intercepted instructions, for advancing RIP where the CPU lacks nRIP-save (QEMU
/// TCG). Each has one encoding without prefixes; IOIO exits carry the next RIP in EXITINFO2 instead.
/// </summary>
internal static class InstructionLength
{
    public const ulong Cpuid = 2;    // 0F A2
    public const ulong Rdmsr = 2;    // 0F 32
    public const ulong Wrmsr = 2;    // 0F 30
    public const ulong Hlt = 1;      // F4
    public const ulong Vmmcall = 3;  // 0F 01 D9
}
