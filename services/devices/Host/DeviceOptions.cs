using System.Globalization;

namespace Micro.Devices.Host;

/// <summary>The command-line options of a device model process.</summary>
public sealed record DeviceOptions(ushort? Base, int DelayUs, IReadOnlyList<(string Kind, ushort Port)> Devices)
{
    public static DeviceOptions Parse(ReadOnlySpan<string> args)
    {
        ushort? @base = null;
        int delay = 0;
        var devices = new List<(string, ushort)>();
        for (int i = 0; i < args.Length; i++)
        {
            string value = i + 1 < args.Length ? args[i + 1] : throw new FormatException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--base":
                    @base = Port(value);
                    break;
                case "--delay-us":
                    delay = int.TryParse(value, out int d) && d >= 0 ? d : throw new FormatException($"--delay-us {value}: not a count of microseconds");
                    break;
                case "--device":
                    int at = value.IndexOf('@', StringComparison.Ordinal);
                    if (at <= 0)
                        throw new FormatException($"--device {value}: expected KIND@PORT");
                    devices.Add((value[..at], Port(value[(at + 1)..])));
                    break;
                default:
                    throw new FormatException($"unknown option {args[i]}");
            }
            i++;
        }
        return new(@base, delay, devices);
    }

    private static ushort Port(string s)
    {
        bool ok = s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ushort.TryParse(s.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ushort p)
            : ushort.TryParse(s, out p);
        return ok ? p : throw new FormatException($"'{s}' is not a port number");
    }
}
