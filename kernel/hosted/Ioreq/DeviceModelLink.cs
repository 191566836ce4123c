using Micro.Kernel.Domains;
using Micro.Kernel.Hypercalls;
using Micro.Kernel.Supervision;
using Micro.Protocol.Messages;
using Micro.Protocol.Os;

namespace Micro.Kernel.Ioreq;

/// <summary>
/// The core's link to the device model of one guest: it serves that model's control requests (only
/// for its own guest) and owns what must outlive any one instance of it — the ioreq server with its
/// page and eventfds, and a device-state page the model re-reads when it is restarted.
/// </summary>
public sealed class DeviceModelLink : ServiceRequestHandler, IDisposable
{
    public const int StatePageSize = 64 * 1024;

    private readonly HostedDomain _guest;
    private readonly List<(ulong Start, ulong End)> _claimed = [];

    public IoreqServer Server { get; }
    public SharedMemory State { get; }

    public DeviceModelLink(HostedDomain guest)
    {
        if (3 + guest.Vcpus.Length > UnixSocket.MaxFds)
            throw new ArgumentException($"a device model's capabilities for {guest.Vcpus.Length} vCPUs do not fit one message", nameof(guest));
        _guest = guest;
        Server = new IoreqServer(guest.DomId, guest.Vcpus.Length);
        State = SharedMemory.Create($"micro-d{guest.DomId}-dm-state", StatePageSize);
    }

    public override ServiceReply Handle(ServiceRecord service, Message request)
    {
        switch (request)
        {
            case IoreqServerRegister r:
                return Register(service, r);
            default:
                _guest.Log.Write($"{service.Name}: {request.Type} is not a device-model request");
                return new(new ErrorReply(Micro.Core.Errno.EPERM, $"{request.Type} is not allowed to a device model"));
        }
    }

    private ServiceReply Register(ServiceRecord service, IoreqServerRegister r)
    {
        string? refusal =
            r.Domid != _guest.DomId ? $"serves d{_guest.DomId}, not d{r.Domid}" :
            r.Kind != IoreqKind.Port ? "only port-I/O ranges are served on this substrate" :
            r.End > 0xFFFF || r.Start > r.End ? $"[{r.Start:x}, {r.End:x}] is not a port range" :
            r.Start <= HypercallPage.Port && HypercallPage.Port <= r.End ? "the range covers the hypercall port" :
            null;
        if (refusal is not null)
        {
            _guest.Log.Write($"{service.Name}: ioreq server registration refused: {refusal}");
            return new(new ErrorReply(r.Domid != _guest.DomId ? Micro.Core.Errno.EPERM : Micro.Core.Errno.EINVAL, refusal));
        }
        lock (_claimed)
        {
            // A restarted instance registers its ranges again: already ours is fine.
            if (!_claimed.Contains((r.Start, r.End)))
            {
                if (!_guest.Exits.PortIo.TryAdd(r.Start, r.End, Server))
                {
                    _guest.Log.Write($"{service.Name}: ports [{r.Start:x}, {r.End:x}] overlap another device model");
                    return new(new ErrorReply(Micro.Core.Errno.EBUSY, "range overlaps another device model"));
                }
                _claimed.Add((r.Start, r.End));
            }
        }
        var fds = new List<int> { Server.Page.Memory.Fd, State.Fd, Server.RequestReady.Fd };
        foreach (var e in Server.ResponseReady)
            fds.Add(e.Fd);
        return new(new OkReply(), [.. fds]);
    }

    public void Dispose()
    {
        _guest.Exits.PortIo.Remove(Server);
        Server.Dispose();
        State.Dispose();
    }
}
