namespace Micro.XenStore.Domains;

/// <summary>A domain introduced to the store (XS_INTRODUCE): its ring's frame and event channel.</summary>
public sealed class Domain
{
    public Domain(uint domId, ulong mfn, uint port)
    {
        DomId = domId;
        Mfn = mfn;
        Port = port;
    }

    public uint DomId { get; }
    public ulong Mfn { get; set; }
    public uint Port { get; set; }

    /// <summary>Set by XS_SET_TARGET: the domain this one serves (e.g. a device model's guest).</summary>
    public uint? Target { get; set; }
}
