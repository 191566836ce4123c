namespace Micro.Core.GrantTables;

/// <summary>One grant a domain has mapped (Xen's maptrack entry); its index is the grant handle.</summary>
public struct MapTrackEntry
{
    public bool InUse;
    public bool ReadOnly;
    /// <summary>The substrate mapped it into this guest at <see cref="Address"/>.</summary>
    public bool HostMapped;
    public int Granter;
    public uint GranterGeneration;
    public int Ref;
    public ulong Address;
    public ulong Frame;
}
