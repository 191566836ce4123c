using System.Text;

namespace Micro.XenStore.Wire;

/// <summary>
/// Splits a request payload into its NUL-terminated arguments, the way each operation expects them.
/// Every method returns null when the payload does not have that shape (the reply is then EINVAL).
/// </summary>
public static class XsPayload
{
    /// <summary>Exactly one NUL-terminated string filling the payload (READ, RM, DIRECTORY, ...).</summary>
    public static string? OneArg(byte[] payload)
    {
        if (payload.Length == 0 || payload[^1] != 0)
            return null;
        int nul = Array.IndexOf(payload, (byte)0);
        return nul != payload.Length - 1 ? null : Encoding.UTF8.GetString(payload, 0, nul);
    }

    /// <summary>
    /// The NUL-terminated strings of the payload (bytes after the last NUL are ignored); null if there
    /// are fewer than <paramref name="min"/>.
    /// </summary>
    public static List<string>? Strings(byte[] payload, int min)
    {
        var result = new List<string>();
        int start = 0;
        for (int i = 0; i < payload.Length; i++)
        {
            if (payload[i] == 0)
            {
                result.Add(Encoding.UTF8.GetString(payload, start, i - start));
                start = i + 1;
            }
        }
        return result.Count < min ? null : result;
    }

    /// <summary>A path (NUL-terminated) followed by raw value bytes (WRITE).</summary>
    public static (string Path, byte[] Value)? PathAndValue(byte[] payload)
    {
        int nul = Array.IndexOf(payload, (byte)0);
        if (nul < 0)
            return null;
        return (Encoding.UTF8.GetString(payload, 0, nul), payload[(nul + 1)..]);
    }

    /// <summary>Strings each followed by a NUL, concatenated (replies).</summary>
    public static byte[] Join(IEnumerable<string> items)
    {
        var sb = new StringBuilder();
        foreach (string s in items)
            sb.Append(s).Append('\0');
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    public static byte[] Terminated(string s) => Encoding.UTF8.GetBytes(s + "\0");

    /// <summary>C's atoi: optional blanks and sign, then leading digits; anything else gives 0.</summary>
    public static int Atoi(string s)
    {
        int i = 0;
        while (i < s.Length && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')))
            i++;
        bool negative = false;
        if (i < s.Length && (s[i] == '+' || s[i] == '-'))
            negative = s[i++] == '-';
        long value = 0;
        while (i < s.Length && s[i] >= '0' && s[i] <= '9' && value <= int.MaxValue)
            value = value * 10 + (s[i++] - '0');
        value = Math.Min(value, int.MaxValue);
        return (int)(negative ? -value : value);
    }
}
