namespace Micro.Toolstack.Config;

/// <summary>One <c>vif</c> entry, per xl-network-configuration(5). Parsed and validated; not attached yet.</summary>
public sealed record VifSpec(
    string? Mac,
    string? Bridge,
    string? Gatewaydev,
    string Type,
    string? Model,
    string? Vifname,
    string? Script,
    IReadOnlyList<string> Ip,
    string? Backend,
    string? Rate,
    int? Devid,
    int? Mtu,
    IReadOnlyList<string> Flags);
