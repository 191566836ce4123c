using System.Globalization;
using System.Text;
using Micro.XenStore.Wire;

namespace Micro.XenStore.Client;

/// <summary>Domain requests (the toolstack's side of the store) and XS_CONTROL.</summary>
public sealed partial class XenStoreClient
{
    private static string Dec(ulong n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>Introduces a domain whose xenstore ring is at <paramref name="mfn"/>, signalled on <paramref name="port"/>.</summary>
    public void IntroduceDomain(uint domid, ulong mfn, uint port)
        => Request(XsMessageType.XS_INTRODUCE, XsPayload.Join([Dec(domid), Dec(mfn), Dec(port)]));

    public void ReleaseDomain(uint domid) => Request(XsMessageType.XS_RELEASE, XsPayload.Terminated(Dec(domid)));

    public void ResumeDomain(uint domid) => Request(XsMessageType.XS_RESUME, XsPayload.Terminated(Dec(domid)));

    /// <summary>Lets <paramref name="domid"/> act on <paramref name="target"/>'s nodes (a device model for its guest).</summary>
    public void SetTarget(uint domid, uint target) => Request(XsMessageType.XS_SET_TARGET, XsPayload.Join([Dec(domid), Dec(target)]));

    public bool IsDomainIntroduced(uint domid)
        => Encoding.ASCII.GetString(Request(XsMessageType.XS_IS_DOMAIN_INTRODUCED, XsPayload.Terminated(Dec(domid)))).TrimEnd('\0') switch
        {
            "T" => true,
            "F" => false,
            string other => throw new IOException($"xenstored answered IS_DOMAIN_INTRODUCED with '{other}'"),
        };

    /// <summary>The domain's home in the store, /local/domain/&lt;domid&gt;.</summary>
    public string GetDomainPath(uint domid)
        => Encoding.UTF8.GetString(Request(XsMessageType.XS_GET_DOMAIN_PATH, XsPayload.Terminated(Dec(domid)))).TrimEnd('\0');

    /// <summary>XS_CONTROL (as xenstore-control): the command's reply text.</summary>
    public string Control(params string[] args) => Encoding.UTF8.GetString(Request(XsMessageType.XS_CONTROL, XsPayload.Join(args))).TrimEnd('\0');
}
