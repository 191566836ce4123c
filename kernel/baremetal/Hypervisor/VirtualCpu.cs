namespace Micro.BareMetal.Hypervisor;

/// <summary>
/// A hardware vCPU as the exit handler sees it: run until the next exit, read and write the guest's
/// registers, step over the exiting instruction, inject an interrupt. SVM implements it today
/// (Svm/SvmVcpu); VMX would be a second implementation behind the same class.
/// </summary>
internal abstract class VirtualCpu
{
    public abstract VcpuExit Run();

    public abstract ulong Rax { get; set; }

    public abstract ulong Rbx { get; set; }

    public abstract ulong Rcx { get; set; }

    public abstract ulong Rdx { get; set; }

    public abstract ulong Rsi { get; }

    public abstract ulong Rdi { get; }

    public abstract ulong R8 { get; }

    public abstract ulong R10 { get; }

    public abstract ulong Rip { get; }

    /// <summary>TSC just before the last world switch into the guest.</summary>
    public abstract ulong EntryTsc { get; }

    /// <summary>TSC just after the last world switch back (the exit).</summary>
    public abstract ulong ExitTsc { get; }

    /// <summary>Whether the guest can take an interrupt now (RFLAGS.IF set, no interrupt shadow).</summary>
    public abstract bool InterruptsEnabled { get; }

    /// <summary>Steps over the instruction that caused the last exit.</summary>
    public abstract void Skip();

    /// <summary>Delivers external interrupt <paramref name="vector"/> on the next entry.</summary>
    public abstract void InjectInterrupt(int vector);
}
