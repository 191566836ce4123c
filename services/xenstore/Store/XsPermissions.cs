using Micro.XenStore.Wire;

namespace Micro.XenStore.Store;

[Flags]
public enum XsPerm : byte
{
    None = 0,
    Read = 1,
    Write = 2,
    Both = Read | Write,
}

/// <summary>One entry of a node's ACL: a domid and what it may do.</summary>
public readonly record struct XsPermEntry(uint DomId, XsPerm Perm);

/// <summary>
/// A node's permissions in Xen's form: the first entry names the owner (who may do everything) and,
/// through its flags, what every domain not listed may do; later entries grant listed domains.
/// Text form per entry: one of n/r/w/b followed by the decimal domid.
/// </summary>
public sealed class XsPermissions
{
    public XsPermissions(XsPermEntry[] entries)
    {
        Entries = entries;
    }

    public XsPermEntry[] Entries { get; }
    public uint Owner => Entries[0].DomId;

    public static readonly XsPermissions Dom0Only = new([new XsPermEntry(0, XsPerm.None)]);

    /// <summary>
    /// What domain <paramref name="domid"/> (acting also for <paramref name="target"/>, if any) may do
    /// here; privileged callers are let through before. As in the C daemon, a matching ACL entry wins
    /// over ownership.
    /// </summary>
    public XsPerm For(uint domid, uint? target = null)
    {
        for (int i = 1; i < Entries.Length; i++)
        {
            if (Entries[i].DomId == domid || Entries[i].DomId == target)
                return Entries[i].Perm;
        }
        if (Entries[0].DomId == domid || Entries[0].DomId == target)
            return XsPerm.Both;
        return Entries[0].Perm;
    }

    public XsPermissions WithOwner(uint domid)
    {
        if (Entries[0].DomId == domid)
            return this;
        var copy = (XsPermEntry[])Entries.Clone();
        copy[0] = copy[0] with { DomId = domid };
        return new XsPermissions(copy);
    }

    /// <summary>Parses one entry ("r5"); null if malformed.</summary>
    public static XsPermEntry? ParseEntry(string s)
    {
        if (s.Length < 2 || s.Length > 11)
            return null;
        XsPerm perm;
        switch (s[0])
        {
            case 'n': perm = XsPerm.None; break;
            case 'r': perm = XsPerm.Read; break;
            case 'w': perm = XsPerm.Write; break;
            case 'b': perm = XsPerm.Both; break;
            default: return null;
        }
        ulong domid = 0;
        for (int i = 1; i < s.Length; i++)
        {
            if (!char.IsAsciiDigit(s[i]))
                return null;
            domid = domid * 10 + (ulong)(s[i] - '0');
        }
        return domid > ushort.MaxValue ? null : new XsPermEntry((uint)domid, perm);
    }

    public static string FormatEntry(XsPermEntry e) => e.Perm switch
    {
        XsPerm.Read => "r",
        XsPerm.Write => "w",
        XsPerm.Both => "b",
        _ => "n",
    } + e.DomId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The GET_PERMS reply payload: each entry NUL-terminated.</summary>
    public byte[] ToPayload() => XsPayload.Join(Entries.Select(FormatEntry));

    public override string ToString() => string.Join(",", Entries.Select(FormatEntry));

    public bool SameAs(XsPermissions other) => Entries.AsSpan().SequenceEqual(other.Entries);
}
