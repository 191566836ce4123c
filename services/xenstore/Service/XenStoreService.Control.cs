using Micro.XenStore.Connections;
using Micro.XenStore.Wire;

namespace Micro.XenStore.Service;

/// <summary>
/// XS_CONTROL (xenstore-control): the commands that make sense for this daemon. "check" and "print"
/// acknowledge, "quota" reports the limits, "help" lists what is understood; anything else is EINVAL.
/// </summary>
public sealed partial class XenStoreService
{
    private const string HelpText =
        "check\t\n"
        + "print\t<string>\n"
        + "quota\t\n"
        + "help\t\n";

    private XsError Control(Connection conn, XsMessage msg)
    {
        if (Unprivileged(conn))
            return XsError.EACCES;
        var args = XsPayload.Strings(msg.Payload, 1);
        if (args is null)
            return XsError.EINVAL;
        switch (args[0])
        {
            case "check":
                return Ack(conn, msg);
            case "print":
                return args.Count >= 2 ? Ack(conn, msg) : XsError.EINVAL;
            case "quota" when args.Count == 1:
                Reply(conn, msg, XsPayload.Terminated(Quota.Describe()));
                return XsError.None;
            case "help":
                Reply(conn, msg, XsPayload.Terminated(HelpText));
                return XsError.None;
            default:
                return XsError.EINVAL;
        }
    }
}
