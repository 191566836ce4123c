namespace Micro.BareMetal.Hypervisor;

/// <summary>Why a vCPU stopped, in terms that do not depend on SVM or VMX.</summary>
internal enum ExitKind
{
    Cpuid,
    Hlt,
    PortIo,
    MsrRead,
    MsrWrite,
    Hypercall,
    NestedPageFault,
    Shutdown,
    Interrupt,
    Unsupported,
}

/// <summary>One decoded exit: its kind, the raw hardware code, and the operands the kind needs.</summary>
internal struct VcpuExit
{
    public ExitKind Kind;
    public ulong HardwareCode;

    /// <summary>Port (PortIo), MSR index (Msr*) or guest-physical address (NestedPageFault).</summary>
    public ulong Operand;

    /// <summary>Access size in bytes (PortIo).</summary>
    public uint Size;

    /// <summary>Port input (PortIo) or a write access (NestedPageFault).</summary>
    public bool IsInput;
}
