namespace Micro.Core.Domains;

/// <summary>HVM param indices (xen/include/public/hvm/params.h).</summary>
public static class HvmParam
{
    public const int CALLBACK_IRQ = 0;
    public const int STORE_PFN = 1;
    public const int STORE_EVTCHN = 2;
    public const int PAE_ENABLED = 4;
    public const int IOREQ_PFN = 5;
    public const int BUFIOREQ_PFN = 6;
    public const int TIMER_MODE = 10;
    public const int HPET_ENABLED = 11;
    public const int DM_DOMAIN = 13;
    public const int CONSOLE_PFN = 17;
    public const int CONSOLE_EVTCHN = 18;
    public const int NR_PARAMS = 39;

    /// <summary>CALLBACK_IRQ's type lives in bits 63:56; type 2 means "vector in bits 7:0".</summary>
    public const int CallbackTypeShift = 56;
    public const ulong CallbackTypeVector = 2;

    /// <summary>The params a guest may set on itself (Xen's hvm_allow_set_param).</summary>
    public static bool GuestMaySet(int index) =>
        index == CALLBACK_IRQ || index == STORE_EVTCHN || index == CONSOLE_EVTCHN;
}
