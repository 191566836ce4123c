using System.Globalization;
using System.Text;

namespace Micro.Toolstack.Config;

/// <summary>
/// Turns xl.cfg settings into a <see cref="DomainConfig"/>: checks each key Micro honours, validates
/// disk and vif specs, warns about xl keys Micro does not use and about unknown keys.
/// </summary>
public sealed class DomainConfigReader
{
    public const int MaxNameBytes = 64;
    public const uint MaxMemoryMiB = 1 << 20;
    public const uint MaxVcpus = 128;

    private static readonly string[] Types = ["pv", "pvh", "hvm"];
    private static readonly string[] Bioses = ["rombios", "seabios", "ovmf"];

    /// <summary>xl keys that are valid but have no effect here; each warns once.</summary>
    private static readonly string[] UnusedKeys =
    [
        "acpi", "acpi_s3", "acpi_s4", "altp2m", "apic", "autoballoon", "boot", "bootloader", "bootloader_args", "cap", "channel",
        "claim_mode", "cpu_weight", "cpuid", "cpus", "cpus_soft", "device_model_args", "device_model_override",
        "device_model_stubdomain_override", "device_model_version", "device_tree", "driver_domain", "dtdev", "e820_host",
        "gfx_passthru", "hap", "hdtype", "iomem", "ioports", "irqs", "keymap", "localtime", "max_grant_frames",
        "max_maptrack_frames", "mca_caps", "msr_relaxed", "nestedhvm", "nographic", "nomigrate", "on_soft_reset", "on_watchdog",
        "p9", "pae", "passthrough", "pci", "pool", "pvcalls", "rdm", "rtc_timeoffset", "sdl", "seclabel", "shadow_memory",
        "soundhw", "spice", "stdvga", "timer_mode", "tsc_mode", "usb", "usbctrl", "usbdev", "usbdevice", "vcpu_hard_affinity",
        "vcpu_soft_affinity", "vdispl", "vfb", "vga", "videoram", "viridian", "vkb", "vnc", "vncconsole", "vncdisplay",
        "vnclisten", "vncpasswd", "vncunused", "vsnd", "vtpm", "xen_platform_pci",
    ];

    /// <summary>xl's boolean keys among the unused ones: still checked to be 0 or 1.</summary>
    private static readonly string[] BooleanKeys = ["acpi", "acpi_s3", "acpi_s4", "apic", "hap", "localtime", "nestedhvm", "nographic", "nomigrate", "pae", "sdl", "stdvga", "usb", "vnc", "vncconsole", "vncunused", "xen_platform_pci", "driver_domain", "e820_host", "autoballoon"];

    private readonly XlDocument _document;
    private readonly List<ConfigDiagnostic> _diagnostics;
    private readonly ConfigPosition _fileStart;

    private DomainConfigReader(XlDocument document, List<ConfigDiagnostic> diagnostics, string file)
    {
        _document = document;
        _diagnostics = diagnostics;
        _fileStart = new(file, 1, 1);
    }

    /// <summary>The configuration, or null when any error was reported into <paramref name="diagnostics"/>.</summary>
    public static DomainConfig? Read(XlDocument document, List<ConfigDiagnostic> diagnostics, string file)
    {
        int before = diagnostics.Count(d => d.IsError);
        var config = new DomainConfigReader(document, diagnostics, file).ReadAll();
        return diagnostics.Count(d => d.IsError) == before ? config : null;
    }

    private DomainConfig ReadAll()
    {
        var known = new HashSet<string>(StringComparer.Ordinal)
        {
            "name", "type", "builder", "memory", "maxmem", "vcpus", "maxvcpus", "kernel", "ramdisk", "cmdline", "extra", "root",
            "on_poweroff", "on_reboot", "on_crash", "serial", "uuid", "firmware", "bios", "disk", "vif",
        };
        foreach (var setting in _document.Settings)
        {
            if (known.Contains(setting.Key))
                continue;
            if (UnusedKeys.Contains(setting.Key))
            {
                if (BooleanKeys.Contains(setting.Key))
                    Boolean(setting);
                Warn(setting.Position, $"'{setting.Key}' is an xl key that Micro does not use (ignored)");
            }
            else
            {
                Warn(setting.Position, $"unknown key '{setting.Key}' (ignored)");
            }
        }

        string name = Name();
        string type = DomainType();
        uint memory = Integer("memory", 32, 1, MaxMemoryMiB);
        uint maxmem = Integer("maxmem", memory, 1, MaxMemoryMiB);
        if (maxmem < memory && _document.Find("maxmem") is { } m)
            Error(m.Value.Position, $"maxmem ({maxmem} MiB) is less than memory ({memory} MiB)");
        uint vcpus = Integer("vcpus", 1, 1, MaxVcpus);
        uint maxvcpus = Integer("maxvcpus", vcpus, 1, MaxVcpus);
        if (maxvcpus < vcpus && _document.Find("maxvcpus") is { } mv)
            Error(mv.Value.Position, $"maxvcpus ({maxvcpus}) is less than vcpus ({vcpus})");
        string? kernel = OptionalString("kernel");
        if (kernel is not null && kernel.Length == 0)
            Error(_document.Find("kernel")!.Value.Position, "'kernel' is empty");
        string? ramdisk = OptionalString("ramdisk");
        string? cmdline = Cmdline();
        string onPoweroff = Action("on_poweroff", ShutdownAction.Destroy);
        string onReboot = Action("on_reboot", ShutdownAction.Restart);
        string onCrash = Action("on_crash", ShutdownAction.Destroy);
        var serial = StringOrList("serial");
        string? uuid = Uuid();
        string? firmware = OptionalString("firmware");
        string? bios = OptionalString("bios");
        if (bios is not null && !Bioses.Contains(bios))
            Error(_document.Find("bios")!.Value.Position, $"unknown bios '{bios}' ({string.Join(", ", Bioses)})");
        var disks = Specs("disk", DiskSpecParser.Parse);
        var vifs = Specs("vif", VifSpecParser.Parse);
        return new DomainConfig(name, type, memory, maxmem, vcpus, maxvcpus, kernel, ramdisk, cmdline, onPoweroff, onReboot, onCrash,
            serial, uuid, firmware, bios, disks, vifs);
    }

    private string Name()
    {
        var setting = _document.Find("name");
        if (setting is null)
        {
            Error(_fileStart, "no 'name': every domain needs one");
            return "";
        }
        string? name = StringOf(setting);
        if (name is null)
            return "";
        if (name.Length == 0)
            Error(setting.Value.Position, "'name' is empty");
        else if (Encoding.UTF8.GetByteCount(name) > MaxNameBytes)
            Error(setting.Value.Position, $"'name' is {Encoding.UTF8.GetByteCount(name)} bytes; the limit is {MaxNameBytes}");
        else if (name.Any(char.IsControl))
            Error(setting.Value.Position, "'name' contains a control character");
        else if (name.All(char.IsAsciiDigit))
            Error(setting.Value.Position, $"'name' is all digits ('{name}'), which reads as a domid");
        return name;
    }

    private string DomainType()
    {
        var type = _document.Find("type");
        var builder = _document.Find("builder");
        string? value = type is null ? null : StringOf(type);
        if (value is not null && !Types.Contains(value))
        {
            Error(type!.Value.Position, $"unknown type '{value}' (pv, pvh, hvm)");
            return "pv";
        }
        if (builder is not null && StringOf(builder) is string b)
        {
            string? legacy = b switch { "hvm" => "hvm", "generic" => "pv", _ => null };
            if (legacy is null)
                Error(builder.Value.Position, $"unknown builder '{b}' (hvm, generic)");
            else if (value is not null && value != legacy)
                Error(builder.Value.Position, $"builder '{b}' contradicts type '{value}'");
            else
                Warn(builder.Position, "'builder' is deprecated; use type");
            value ??= legacy;
        }
        return value ?? "pv";
    }

    private string? Cmdline()
    {
        string? cmdline = OptionalString("cmdline");
        string? root = OptionalString("root");
        string? extra = OptionalString("extra");
        if (cmdline is not null)
        {
            if (root is not null || extra is not null)
                Warn(_document.Find("cmdline")!.Position, "'cmdline' is set, so 'root' and 'extra' are ignored");
            return cmdline;
        }
        if (root is null && extra is null)
            return null;
        return string.Join(' ', new[] { root is null ? null : "root=" + root, extra }.Where(s => s is not null));
    }

    private string Action(string key, string fallback)
    {
        var setting = _document.Find(key);
        if (setting is null || StringOf(setting) is not string action)
            return fallback;
        if (!ShutdownAction.All.Contains(action))
        {
            Error(setting.Value.Position, $"unknown action '{action}' for {key} ({string.Join(", ", ShutdownAction.All)})");
            return fallback;
        }
        if (ShutdownAction.Effective(action) != action)
            Warn(setting.Value.Position, $"{key} '{action}' acts as '{ShutdownAction.Effective(action)}' here");
        return action;
    }

    private string? Uuid()
    {
        var setting = _document.Find("uuid");
        if (setting is null || StringOf(setting) is not string uuid)
            return null;
        if (!Guid.TryParseExact(uuid, "D", out var guid))
        {
            Error(setting.Value.Position, $"uuid '{uuid}' is not of the form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx");
            return null;
        }
        return guid.ToString("D");
    }

    private List<T> Specs<T>(string key, SpecParser<T> parse) where T : class
    {
        var result = new List<T>();
        var setting = _document.Find(key);
        if (setting is null)
            return result;
        if (setting.Value is not XlList list)
        {
            Error(setting.Value.Position, $"'{key}' must be a list of strings, e.g. {key} = [ '...' ]");
            return result;
        }
        for (int i = 0; i < list.Items.Count; i++)
        {
            if (list.Items[i] is not XlString s)
            {
                Error(list.Items[i].Position, $"{key} entry {i + 1} must be a string");
                continue;
            }
            var spec = parse(s.Text, out string? error);
            if (spec is null)
                Error(s.Position, $"{key} entry {i + 1} '{s.Text}': {error}");
            else
                result.Add(spec);
        }
        return result;
    }

    private delegate T? SpecParser<T>(string spec, out string? error);

    private List<string> StringOrList(string key)
    {
        var setting = _document.Find(key);
        var result = new List<string>();
        switch (setting?.Value)
        {
            case null:
                break;
            case XlString s:
                result.Add(s.Text);
                break;
            case XlList list:
                foreach (var item in list.Items)
                {
                    if (item is XlString si)
                        result.Add(si.Text);
                    else
                        Error(item.Position, $"'{key}' entries must be strings");
                }
                break;
            default:
                Error(setting.Value.Position, $"'{key}' must be a string or a list of strings");
                break;
        }
        return result;
    }

    private string? OptionalString(string key)
    {
        var setting = _document.Find(key);
        return setting is null ? null : StringOf(setting);
    }

    private string? StringOf(XlSetting setting)
    {
        if (setting.Value is XlString s)
            return s.Text;
        Error(setting.Value.Position, $"'{setting.Key}' must be a quoted string");
        return null;
    }

    /// <summary>A whole number from a number or a string holding one (xl reads both), in [min, max].</summary>
    private uint Integer(string key, uint fallback, uint min, uint max)
    {
        var setting = _document.Find(key);
        if (setting is null)
            return fallback;
        string? text = setting.Value switch
        {
            XlNumber n => n.Text,
            XlString s => s.Text.Trim(),
            _ => null,
        };
        if (text is null)
        {
            Error(setting.Value.Position, $"'{key}' must be a number, not a list");
            return fallback;
        }
        if (!TryParseWhole(text, out ulong value))
        {
            Error(setting.Value.Position, $"'{key}' must be a whole number, not '{Short(text)}'");
            return fallback;
        }
        if (value < min || value > max)
        {
            Error(setting.Value.Position, $"'{key}' is {value}; it must be from {min} to {max}");
            return fallback;
        }
        return (uint)value;
    }

    private void Boolean(XlSetting setting)
    {
        string? text = setting.Value switch
        {
            XlNumber n => n.Text,
            XlString s => s.Text,
            _ => null,
        };
        if (text is not ("0" or "1"))
            Error(setting.Value.Position, $"'{setting.Key}' is a boolean: 0 or 1");
    }

    private static bool TryParseWhole(string text, out ulong value)
    {
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            return ulong.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
        return ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    private static string Short(string s) => s.Length <= 40 ? s : s[..40] + "...";

    private void Error(ConfigPosition at, string message) => _diagnostics.Add(new(at, true, message));

    private void Warn(ConfigPosition at, string message) => _diagnostics.Add(new(at, false, message));
}
