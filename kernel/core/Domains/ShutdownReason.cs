namespace Micro.Core.Domains;

/// <summary>SHUTDOWN_* reasons of SCHEDOP_shutdown (xen/include/public/sched.h).</summary>
public static class ShutdownReason
{
    public const int None = -1;
    public const int Poweroff = 0;
    public const int Reboot = 1;
    public const int Suspend = 2;
    public const int Crash = 3;
    public const int Watchdog = 4;
    public const int Max = 4;
}
