namespace Micro.Toolstack.Config;

/// <summary>The xl.cfg actions for on_poweroff / on_reboot / on_crash, as xl spells them.</summary>
public static class ShutdownAction
{
    public const string Destroy = "destroy";
    public const string Restart = "restart";
    public const string Preserve = "preserve";

    public static readonly string[] All = [Destroy, Restart, "rename-restart", Preserve, "coredump-destroy", "coredump-restart", "soft-reset"];

    /// <summary>What Micro does for an action: coredump-* and rename-restart without the core dump or rename, soft-reset as a restart.</summary>
    public static string Effective(string action) => action switch
    {
        "coredump-destroy" => Destroy,
        "coredump-restart" or "rename-restart" or "soft-reset" => Restart,
        _ => action,
    };
}
