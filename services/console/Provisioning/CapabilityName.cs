using System.Globalization;
using Micro.Console.Consoles;

namespace Micro.Console.Provisioning;

/// <summary>What a console capability is for, from its name.</summary>
public enum CapabilityRole
{
    /// <summary>A memfd holding the xencons_interface page.</summary>
    Page,

    /// <summary>The eventfd the guest (or UART model) signals; the daemon waits on it.</summary>
    Kick,

    /// <summary>The eventfd the daemon signals; the guest side waits on it.</summary>
    Notify,
}

/// <summary>
/// The names console capabilities travel under: <c>console/DOMID/ROLE</c> or <c>uart/DOMID/ROLE</c>, ROLE being
/// <c>page</c>, <c>kick</c> or <c>notify</c>, DOMID decimal without leading zeros, below 0x7FF0.
/// </summary>
public readonly record struct CapabilityName(SourceKind Kind, int Domid, CapabilityRole Role)
{
    public override string ToString() => $"{(Kind == SourceKind.Console ? "console" : "uart")}/{Domid}/{Role.ToString().ToLowerInvariant()}";

    public static bool TryParse(string name, out CapabilityName result, out string error)
    {
        result = default;
        string[] parts = name.Split('/');
        if (parts.Length != 3)
        {
            error = $"capability name '{name}' is not KIND/DOMID/ROLE";
            return false;
        }
        SourceKind? kind = parts[0] switch { "console" => SourceKind.Console, "uart" => SourceKind.Uart, _ => null };
        if (kind is null)
        {
            error = $"capability name '{name}': kind '{parts[0]}' is neither console nor uart";
            return false;
        }
        if (parts[1].Length is 0 or > 5 || (parts[1].Length > 1 && parts[1][0] == '0')
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int domid) || !DomainIds.IsValid(domid))
        {
            error = $"capability name '{name}': '{parts[1]}' is not a domid (decimal, 0..{DomainIds.Limit - 1})";
            return false;
        }
        CapabilityRole? role = parts[2] switch { "page" => CapabilityRole.Page, "kick" => CapabilityRole.Kick, "notify" => CapabilityRole.Notify, _ => null };
        if (role is null)
        {
            error = $"capability name '{name}': role '{parts[2]}' is not page, kick or notify";
            return false;
        }
        result = new CapabilityName(kind.Value, domid, role.Value);
        error = "";
        return true;
    }
}
