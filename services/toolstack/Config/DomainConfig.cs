namespace Micro.Toolstack.Config;

/// <summary>
/// A domain's configuration as read from an xl.cfg file: the keys Micro honours, with xl's defaults
/// applied. <c>kernel = "builtin:NAME"</c> names one of the built-in test guests.
/// </summary>
public sealed record DomainConfig(
    string Name,
    string Type,
    uint Memory,
    uint Maxmem,
    uint Vcpus,
    uint Maxvcpus,
    string? Kernel,
    string? Ramdisk,
    string? Cmdline,
    string OnPoweroff,
    string OnReboot,
    string OnCrash,
    IReadOnlyList<string> Serial,
    string? Uuid,
    string? Firmware,
    string? Bios,
    IReadOnlyList<DiskSpec> Disk,
    IReadOnlyList<VifSpec> Vif)
{
    public const string BuiltinPrefix = "builtin:";

    /// <summary>The built-in guest's name when <see cref="Kernel"/> is <c>builtin:NAME</c>.</summary>
    public string? BuiltinKernel => Kernel is not null && Kernel.StartsWith(BuiltinPrefix, StringComparison.Ordinal) ? Kernel[BuiltinPrefix.Length..] : null;
}
