namespace Micro.Kernel.Domains;

/// <summary>Why a domain stopped: Xen's SHUTDOWN_* codes (sched.h), which guests pass to SCHEDOP_shutdown.</summary>
public enum ShutdownReason
{
    Poweroff = 0,
    Reboot = 1,
    Suspend = 2,
    Crash = 3,
    Watchdog = 4,
}
