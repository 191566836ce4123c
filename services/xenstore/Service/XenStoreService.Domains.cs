using System.Globalization;
using Micro.XenStore.Connections;
using Micro.XenStore.Domains;
using Micro.XenStore.Store;
using Micro.XenStore.Wire;

namespace Micro.XenStore.Service;

/// <summary>Domain requests. All but GET_DOMAIN_PATH need a privileged connection.</summary>
public sealed partial class XenStoreService
{
    private XsError Introduce(Connection conn, XsMessage msg)
    {
        if (Unprivileged(conn))
            return XsError.EACCES;
        var args = XsPayload.Strings(msg.Payload, 3);
        if (args is null)
            return XsError.EINVAL;
        uint domid = (uint)XsPayload.Atoi(args[0]);
        int port = XsPayload.Atoi(args[2]);
        if (port <= 0 || domid > ushort.MaxValue)
            return XsError.EINVAL;
        ulong.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out ulong mfn);
        if (_domains.TryGetValue(domid, out var existing))
        {
            existing.Port = (uint)port;
            return Ack(conn, msg);
        }
        var domain = new Domain(domid, mfn, (uint)port);
        _domains[domid] = domain;
        State?.RecordDomainIntroduced(domain);
        DomainIntroduced?.Invoke(domain);
        FireSpecial(XsPath.IntroduceDomain);
        return Ack(conn, msg);
    }

    private XsError Release(Connection conn, XsMessage msg)
    {
        if (Unprivileged(conn))
            return XsError.EACCES;
        string? arg = XsPayload.OneArg(msg.Payload);
        if (arg is null)
            return XsError.EINVAL;
        uint domid = (uint)XsPayload.Atoi(arg);
        if (domid == 0)
            return XsError.EINVAL;
        if (!_domains.Remove(domid, out var domain))
            return XsError.ENOENT;
        State?.RecordDomainReleased(domid);
        foreach (var c in _connections.ToArray())
        {
            if (c.DomId == domid && !c.Privileged)
                Remove(c);
        }
        DomainReleased?.Invoke(domain);
        Ack(conn, msg);
        FireSpecial(XsPath.ReleaseDomain);
        return XsError.None;
    }

    private XsError GetDomainPath(Connection conn, XsMessage msg)
    {
        string? arg = XsPayload.OneArg(msg.Payload);
        if (arg is null)
            return XsError.EINVAL;
        Reply(conn, msg, XsPayload.Terminated(XsPath.DomainPath((uint)XsPayload.Atoi(arg))));
        return XsError.None;
    }

    private XsError IsDomainIntroduced(Connection conn, XsMessage msg)
    {
        if (Unprivileged(conn))
            return XsError.EACCES;
        string? arg = XsPayload.OneArg(msg.Payload);
        if (arg is null)
            return XsError.EINVAL;
        Reply(conn, msg, _domains.ContainsKey((uint)XsPayload.Atoi(arg)) ? "T\0"u8 : "F\0"u8);
        return XsError.None;
    }

    private XsError Resume(Connection conn, XsMessage msg)
    {
        if (Unprivileged(conn))
            return XsError.EACCES;
        string? arg = XsPayload.OneArg(msg.Payload);
        if (arg is null)
            return XsError.EINVAL;
        return _domains.ContainsKey((uint)XsPayload.Atoi(arg)) ? Ack(conn, msg) : XsError.ENOENT;
    }

    private XsError SetTarget(Connection conn, XsMessage msg)
    {
        if (Unprivileged(conn))
            return XsError.EACCES;
        var args = XsPayload.Strings(msg.Payload, 2);
        if (args is null)
            return XsError.EINVAL;
        uint domid = (uint)XsPayload.Atoi(args[0]);
        uint target = (uint)XsPayload.Atoi(args[1]);
        if (!_domains.TryGetValue(domid, out var domain) || !_domains.ContainsKey(target))
            return XsError.ENOENT;
        domain.Target = target;
        State?.RecordDomainTarget(domid, target);
        foreach (var c in _connections)
        {
            if (c.DomId == domid && !c.Privileged)
                c.Target = target;
        }
        return Ack(conn, msg);
    }

    /// <summary>Restores an introduced domain after a restart (no event: nothing changed for clients).</summary>
    public void RestoreDomain(Domain domain) => _domains[domain.DomId] = domain;

    /// <summary>Drops a released domain while restoring saved state.</summary>
    public void ForgetDomain(uint domid) => _domains.Remove(domid);
}
