using Micro.XenStore.Wire;

namespace Micro.XenStore.Store;

/// <summary>
/// Node names: relative names are under the connection's /local/domain/&lt;domid&gt;; a valid absolute
/// name starts with '/', has no "//", no trailing '/', only [A-Za-z0-9-/_@], is at most
/// XENSTORE_ABS_PATH_MAX bytes, and its part below /local/domain/&lt;domid&gt;/ at most XENSTORE_REL_PATH_MAX.
/// Names starting with '@' are the special watch nodes.
/// </summary>
public static class XsPath
{
    public const string IntroduceDomain = "@introduceDomain";
    public const string ReleaseDomain = "@releaseDomain";

    public static string DomainPath(uint domid) => "/local/domain/" + domid;

    /// <summary>The absolute name for <paramref name="name"/> as sent by domain <paramref name="domid"/>, or null if invalid.</summary>
    public static string? Canonicalize(uint domid, string name, bool allowSpecial)
    {
        string path = name.Length > 0 && (name[0] == '/' || name[0] == '@') ? name : DomainPath(domid) + "/" + name;
        return IsValid(path, allowSpecial) ? path : null;
    }

    public static bool IsSpecial(string path) => path == IntroduceDomain || path == ReleaseDomain;

    public static bool IsValid(string path, bool allowSpecial)
    {
        if (path.Length == 0)
            return false;
        if (path[0] == '@')
            return allowSpecial && path.Length <= XsLimits.AbsPathMax && ValidChars(path);
        if (path[0] != '/')
            return false;
        if (path.Length > 1 && path[^1] == '/')
            return false;
        if (path.Contains("//", StringComparison.Ordinal))
            return false;
        if (path.Length > XsLimits.AbsPathMax)
            return false;
        if (path.Length - LocalDomainPrefixLength(path) > XsLimits.RelPathMax)
            return false;
        return ValidChars(path);
    }

    /// <summary>The length of a leading "/local/domain/&lt;up to 5 digits&gt;/", or 0 (as the C daemon's sscanf).</summary>
    private static int LocalDomainPrefixLength(string path)
    {
        const string prefix = "/local/domain/";
        if (!path.StartsWith(prefix, StringComparison.Ordinal))
            return 0;
        int i = prefix.Length;
        while (i < path.Length && i < prefix.Length + 5 && char.IsAsciiDigit(path[i]))
            i++;
        return i > prefix.Length && i < path.Length && path[i] == '/' ? i + 1 : 0;
    }

    private static bool ValidChars(string path)
    {
        foreach (char c in path)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '-' || c == '/' || c == '_' || c == '@'))
                return false;
        }
        return true;
    }

    /// <summary>The parent of an absolute, non-root path.</summary>
    public static string Parent(string path)
    {
        int slash = path.LastIndexOf('/');
        return slash == 0 ? "/" : path[..slash];
    }

    /// <summary>The last component of an absolute, non-root path.</summary>
    public static string BaseName(string path) => path[(path.LastIndexOf('/') + 1)..];

    public static string Child(string parent, string name) => parent == "/" ? "/" + name : parent + "/" + name;

    /// <summary>True if <paramref name="path"/> is <paramref name="ancestor"/> or below it.</summary>
    public static bool IsAtOrBelow(string path, string ancestor)
    {
        if (ancestor == "/")
            return path.Length > 0 && path[0] == '/';
        return path.StartsWith(ancestor, StringComparison.Ordinal)
            && (path.Length == ancestor.Length || path[ancestor.Length] == '/');
    }
}
