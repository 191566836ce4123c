using System.Text.RegularExpressions;

namespace Micro.Toolstack.Config;

/// <summary>
/// Parses a DISKSPEC: comma-separated <c>key=value</c> pairs, flags and up to four positional
/// parameters (target, format, vdev, access), each given at most once; <c>target=</c> takes the rest
/// of the string, commas included. The deprecated <c>phy:</c>/<c>raw:</c>/<c>tap:aio:</c>… target
/// prefixes and the <c>hdc:cdrom</c> vdev suffix are understood.
/// </summary>
public static partial class DiskSpecParser
{
    private static readonly string[] Positional = ["target", "format", "vdev", "access"];
    private static readonly string[] Keys = ["target", "format", "vdev", "access", "devtype", "backend", "backendtype", "script", "specification", "transport", "colo-host", "colo-port", "colo-export", "active-disk", "hidden-disk"];
    private static readonly string[] FlagNames = ["cdrom", "direct-io-safe", "discard", "no-discard", "trusted", "untrusted", "colo"];
    private static readonly string[] Formats = ["raw", "qcow", "qcow2", "vhd", "qed", "empty"];
    private static readonly string[] Backendtypes = ["phy", "qdisk", "tap", "standalone"];
    private static readonly string[] Prefixes = ["phy", "file", "tap", "tap2", "aio", "raw", "qcow", "qcow2", "vhd"];

    [GeneratedRegex("^((xvd|hd|sd)[a-z]+[0-9]*|d[0-9]+(p[0-9]+)?|[0-9]+)$")]
    private static partial Regex VdevPattern();

    /// <summary>The parsed spec, or null with <paramref name="error"/> saying precisely what is wrong.</summary>
    public static DiskSpec? Parse(string spec, out string? error)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var flags = new List<string>();
        string rest = spec;
        string? target = null;
        int targetAt = FindTargetKey(spec);
        if (targetAt >= 0)
        {
            target = spec[(targetAt + "target=".Length)..];
            rest = spec[..targetAt];
        }
        int next = 0;
        bool targetPositional = false;
        var tokens = rest.Length == 0 ? [] : rest.Split(',');
        // A trailing comma before "target=" leaves one empty token that is not a parameter.
        int count = targetAt >= 0 && tokens.Length > 0 && tokens[^1].Trim().Length == 0 ? tokens.Length - 1 : tokens.Length;
        for (int i = 0; i < count; i++)
        {
            string token = tokens[i].Trim();
            int eq = token.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                string key = token[..eq].Trim();
                if (!Keys.Contains(key))
                    return Fail($"unknown parameter '{key}'", out error);
                if (values.ContainsKey(key))
                    return Fail($"parameter '{key}' is given twice", out error);
                values[key] = token[(eq + 1)..].Trim();
                continue;
            }
            if (FlagNames.Contains(token))
            {
                if (flags.Contains(token))
                    return Fail($"flag '{token}' is given twice", out error);
                flags.Add(token);
                continue;
            }
            while (next < Positional.Length && values.ContainsKey(Positional[next]))
                next++;
            if (next >= Positional.Length)
                return Fail($"too many positional parameters at '{token}' (target, format, vdev, access)", out error);
            if (next == 0 && HasPrefix(token))
            {
                // Deprecated "raw:/path,vdev,access": the prefix stands for the format parameter.
                values["target"] = token;
                values["format"] = "";
                targetPositional = true;
            }
            else if (token.Length > 0)
            {
                values[Positional[next]] = token;
            }
            else
            {
                values[Positional[next]] = ""; // given empty: the default applies
            }
            next++;
        }
        if (target is not null)
        {
            if (values.ContainsKey("target"))
                return Fail("parameter 'target' is given twice", out error);
            values["target"] = target;
        }

        string? backendtype = Get(values, "backendtype");
        string format = Get(values, "format") ?? "raw";
        string devtype = Get(values, "devtype") ?? (flags.Contains("cdrom") ? "cdrom" : "disk");
        string vdev = Get(values, "vdev") ?? "";
        target = values.GetValueOrDefault("target") ?? "";
        if (targetPositional && !StripPrefixes(ref target, ref format, ref backendtype, out error))
            return null;
        if (vdev.EndsWith(":cdrom", StringComparison.Ordinal))
        {
            vdev = vdev[..^":cdrom".Length];
            devtype = "cdrom";
        }
        if (!Formats.Contains(format))
            return Fail($"unknown format '{format}' ({string.Join(", ", Formats)})", out error);
        if (devtype is not ("disk" or "cdrom"))
            return Fail($"unknown devtype '{devtype}' (disk, cdrom)", out error);
        if (backendtype is not null && !Backendtypes.Contains(backendtype))
            return Fail($"unknown backendtype '{backendtype}' ({string.Join(", ", Backendtypes)})", out error);
        if (vdev.Length == 0)
            return Fail("no vdev (the virtual device name, e.g. xvda)", out error);
        if (!VdevPattern().IsMatch(vdev))
            return Fail($"'{vdev}' is not a virtual device name (xvdX, hdX, sdX, dNpM or a number)", out error);
        string access = (Get(values, "access") ?? (devtype == "cdrom" ? "ro" : "rw")) switch
        {
            "r" or "ro" => "ro",
            "w" or "rw" => "rw",
            string other => other,
        };
        if (access is not ("ro" or "rw"))
            return Fail($"unknown access '{access}' (ro, rw)", out error);
        if (target.Length == 0 && devtype != "cdrom")
            return Fail("no target: only a cdrom may be empty", out error);
        if (target.Length == 0)
            format = "empty";
        error = null;
        return new DiskSpec(target, format, vdev, access, devtype, Get(values, "backend"), backendtype, Get(values, "script"), flags);
    }

    /// <summary>Where "target=" starts a parameter (at the start or after a comma and blanks), or -1.</summary>
    private static int FindTargetKey(string spec)
    {
        for (int i = spec.IndexOf("target=", StringComparison.Ordinal); i >= 0; i = spec.IndexOf("target=", i + 1, StringComparison.Ordinal))
        {
            int j = i - 1;
            while (j >= 0 && spec[j] is ' ' or '\t')
                j--;
            if (j < 0 || spec[j] == ',')
                return i;
        }
        return -1;
    }

    private static bool HasPrefix(string target)
    {
        int colon = target.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && Prefixes.Contains(target[..colon]);
    }

    private static bool StripPrefixes(ref string target, ref string format, ref string? backendtype, out string? error)
    {
        error = null;
        while (true)
        {
            int colon = target.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || !Prefixes.Contains(target[..colon]))
                return true;
            string prefix = target[..colon];
            target = target[(colon + 1)..];
            switch (prefix)
            {
                case "phy":
                    backendtype = "phy";
                    break;
                case "tap" or "tap2":
                    backendtype = "tap";
                    break;
                case "raw" or "qcow" or "qcow2" or "vhd":
                    format = prefix;
                    break;
                default: // "file:" and "aio:" name the default raw file backend
                    break;
            }
        }
    }

    private static string? Get(Dictionary<string, string> values, string key) =>
        values.TryGetValue(key, out string? v) && v.Length > 0 ? v : null;

    private static DiskSpec? Fail(string message, out string? error)
    {
        error = message;
        return null;
    }
}
