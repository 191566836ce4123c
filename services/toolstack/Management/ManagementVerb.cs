namespace Micro.Toolstack.Management;

/// <summary>What the <c>micro</c> CLI asks the toolstack daemon (xl's verbs).</summary>
public enum ManagementVerb : byte
{
    Create = 1,
    List = 2,
    Destroy = 3,
    Pause = 4,
    Unpause = 5,
    Shutdown = 6,
    Reboot = 7,
    Info = 8,
}
