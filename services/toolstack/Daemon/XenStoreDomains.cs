using System.Globalization;
using Micro.XenStore.Client;
using Micro.XenStore.Store;

namespace Micro.Toolstack.Daemon;

/// <summary>
/// Keeps domains in xenstore the way libxl does: /local/domain/N/{name,domid,vm,memory/…,cpu/…,store/…,
/// console/…,control,data,device} and /vm/UUID/{name,uuid,start_time}, written in one transaction, then
/// INTRODUCE (which fires @introduceDomain). Release removes both subtrees and RELEASEs the domain
/// (which fires @releaseDomain).
/// </summary>
public sealed class XenStoreDomains(XenStoreClient client)
{
    public static string DomainPath(int domid) => $"/local/domain/{domid}";

    public void Introduce(DomainRecord d, ulong storePfn, uint storePort, ulong consolePfn, uint consolePort)
    {
        string dom = DomainPath(d.Domid);
        string vm = "/vm/" + d.Uuid;
        var config = d.Config;
        string kib = ((ulong)config.Memory * 1024).ToString(CultureInfo.InvariantCulture);
        string maxKib = ((ulong)config.Maxmem * 1024).ToString(CultureInfo.InvariantCulture);
        var owned = new XsPermissions([new XsPermEntry(0, XsPerm.None), new XsPermEntry(d.Domid, XsPerm.Read)]);
        var guestWritable = new XsPermissions([new XsPermEntry(d.Domid, XsPerm.None)]);
        client.Transaction(tx =>
        {
            client.Write(dom, "", tx);
            client.SetPermissions(dom, owned, tx);
            client.Write(dom + "/name", config.Name, tx);
            client.Write(dom + "/domid", d.Domid.ToString(CultureInfo.InvariantCulture), tx);
            client.Write(dom + "/vm", vm, tx);
            client.Write(dom + "/memory/static-max", maxKib, tx);
            client.Write(dom + "/memory/target", kib, tx);
            for (int i = 0; i < config.Maxvcpus; i++)
                client.Write($"{dom}/cpu/{i}/availability", i < config.Vcpus ? "online" : "offline", tx);
            client.Write(dom + "/store/port", storePort.ToString(CultureInfo.InvariantCulture), tx);
            client.Write(dom + "/store/ring-ref", storePfn.ToString(CultureInfo.InvariantCulture), tx);
            client.Write(dom + "/console/port", consolePort.ToString(CultureInfo.InvariantCulture), tx);
            client.Write(dom + "/console/ring-ref", consolePfn.ToString(CultureInfo.InvariantCulture), tx);
            client.Write(dom + "/console/type", "xenconsoled", tx);
            client.Write(dom + "/console/output", "pty", tx);
            foreach (string writable in new[] { "/control/shutdown", "/data", "/device" })
            {
                client.Write(dom + writable, "", tx);
                client.SetPermissions(dom + writable, guestWritable, tx);
            }
            client.Write(vm + "/name", config.Name, tx);
            client.Write(vm + "/uuid", d.Uuid, tx);
            client.Write(vm + "/start_time", (d.Created - DateTime.UnixEpoch).TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture), tx);
        });
        client.IntroduceDomain(d.Domid, storePfn, storePort);
    }

    /// <summary>Asks the guest to shut down the Xen way: control/shutdown = poweroff | reboot.</summary>
    public void RequestShutdown(int domid, string action) => client.Write(DomainPath(domid) + "/control/shutdown", action);

    /// <summary>Removes every trace of the domain; tolerant of a half-introduced domain (each step on its own).</summary>
    public void Release(int domid, string uuid, Action<string> log)
    {
        Try(() => client.ReleaseDomain((uint)domid), "release", log);
        Try(() => client.Remove(DomainPath(domid)), "remove " + DomainPath(domid), log);
        Try(() => client.Remove("/vm/" + uuid), "remove /vm/" + uuid, log);
    }

    private static void Try(Action step, string what, Action<string> log)
    {
        try
        {
            step();
        }
        catch (Exception e) when (e is XenStoreException or IOException or TimeoutException)
        {
            log($"xenstore {what}: {e.Message}");
        }
    }
}
