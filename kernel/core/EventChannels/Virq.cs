namespace Micro.Core.EventChannels;

/// <summary>Virtual IRQs (VIRQ_* in xen/include/public/xen.h).</summary>
public static class Virq
{
    public const int TIMER = 0;
    public const int DEBUG = 1;
    public const int CONSOLE = 2;
    public const int DOM_EXC = 3;
    public const int TBUF = 4;
    public const int DEBUGGER = 6;
    public const int XENOPROF = 7;
    public const int CON_RING = 8;
    public const int PCPU_STATE = 9;
    public const int MEM_EVENT = 10;
    public const int ARGO = 11;
    public const int ENOMEM = 12;
    public const int XENPMU = 13;
    public const int NR_VIRQS = 24;

    /// <summary>Per-vCPU virqs may bind on any vCPU; global ones only on vCPU 0 (Xen's virq_is_global).</summary>
    public static bool IsGlobal(int virq) =>
        virq != TIMER && virq != DEBUG && virq != XENOPROF && virq != XENPMU;
}
