using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace Micro.Toolstack.Config;

/// <summary>
/// Parses a VIFSPEC: comma-separated <c>key=value</c> pairs (mac, bridge, gatewaydev, type, model,
/// vifname, script, ip, backend, rate, devid, mtu, forwarddev, accel) and the trusted/untrusted
/// flags; the empty string means every default. Unknown keys are errors, as in xl.
/// </summary>
public static partial class VifSpecParser
{
    private static readonly string[] Keys = ["mac", "bridge", "gatewaydev", "type", "model", "vifname", "script", "ip", "backend", "rate", "devid", "mtu", "forwarddev", "accel"];

    [GeneratedRegex("^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$")]
    private static partial Regex MacPattern();

    [GeneratedRegex("^[0-9]+[GMK]?[bB]/s(@[0-9]+[mu]?s)?$")]
    private static partial Regex RatePattern();

    public static VifSpec? Parse(string spec, out string? error)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var flags = new List<string>();
        foreach (string raw in spec.Split(','))
        {
            string token = raw.Trim();
            if (token.Length == 0)
                continue;
            if (token is "trusted" or "untrusted")
            {
                flags.Add(token);
                continue;
            }
            int eq = token.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
                return Fail($"'{token}' is not key=value", out error);
            string key = token[..eq].Trim();
            if (!Keys.Contains(key))
                return Fail($"unknown parameter '{key}'", out error);
            if (values.ContainsKey(key))
                return Fail($"parameter '{key}' is given twice", out error);
            values[key] = token[(eq + 1)..].Trim();
        }
        string? mac = values.GetValueOrDefault("mac");
        if (mac is not null)
        {
            if (!MacPattern().IsMatch(mac))
                return Fail($"mac '{mac}' is not six hex octets separated by ':'", out error);
            if ((byte.Parse(mac.AsSpan(0, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture) & 1) != 0)
                return Fail($"mac '{mac}' is a multicast address", out error);
        }
        string type = values.GetValueOrDefault("type") ?? "ioemu";
        if (type is not ("ioemu" or "vif"))
            return Fail($"unknown type '{type}' (ioemu, vif)", out error);
        var ips = new List<string>();
        foreach (string ip in (values.GetValueOrDefault("ip") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!IPAddress.TryParse(ip, out _))
                return Fail($"ip '{ip}' is not an IP address", out error);
            ips.Add(ip);
        }
        string? rate = values.GetValueOrDefault("rate");
        if (rate is not null && !RatePattern().IsMatch(rate))
            return Fail($"rate '{rate}' is not RATE/s[@INTERVAL] (e.g. 10Mb/s@20ms)", out error);
        int? devid = null, mtu = null;
        if (values.TryGetValue("devid", out string? d))
        {
            if (!int.TryParse(d, NumberStyles.None, CultureInfo.InvariantCulture, out int v) || v > 65535)
                return Fail($"devid '{d}' is not a number from 0 to 65535", out error);
            devid = v;
        }
        if (values.TryGetValue("mtu", out string? m))
        {
            if (!int.TryParse(m, NumberStyles.None, CultureInfo.InvariantCulture, out int v) || v < 68 || v > 65535)
                return Fail($"mtu '{m}' is not a number from 68 to 65535", out error);
            mtu = v;
        }
        error = null;
        return new VifSpec(mac, values.GetValueOrDefault("bridge"), values.GetValueOrDefault("gatewaydev"), type, values.GetValueOrDefault("model"),
            values.GetValueOrDefault("vifname"), values.GetValueOrDefault("script"), ips, values.GetValueOrDefault("backend"), rate, devid, mtu, flags);
    }

    private static VifSpec? Fail(string message, out string? error)
    {
        error = message;
        return null;
    }
}
