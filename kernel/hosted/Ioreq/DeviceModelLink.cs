using Micro.Kernel.Domains;
using Micro.Kernel.Hypercalls;
using Micro.Kernel.Supervision;
using Micro.Protocol.Messages;
using Micro.Protocol.Os;

namespace Micro.Kernel.Ioreq;

/// <summary>
/// The core's link to one device model of one guest: it serves that model's control requests (only
/// for its own guest) and owns what must outlive any one instance of it — the ioreq server with its
/// page and eventfds, a device-state memfd the model re-reads when it is restarted, and whatever
/// else <see cref="DeviceModelGrants"/> gives it (guest RAM, output ring, doorbells, files).
/// </summary>
public sealed unsafe class DeviceModelLink : ServiceRequestHandler, IDisposable
{
    public const int StatePageSize = 64 * 1024;

    private readonly HostedDomain _guest;
    private readonly List<(ulong Start, ulong End)> _claimed = [];
    private readonly DeviceModelHeader _header;
    private readonly List<int> _grantFds = [];
    private readonly List<IDisposable> _owned = [];

    public IoreqServer Server { get; }
    public SharedMemory State { get; }
    /// <summary>The console bytes the model produces (<see cref="DeviceOutputRing"/>), when granted.</summary>
    public SharedMemory? Output { get; }
    /// <summary>Bytes for the guest, produced by the console service and consumed by the model, when granted.</summary>
    public SharedMemory? Input { get; }
    /// <summary>One eventfd per granted doorbell port, bound to the guest's VM with KVM_IOEVENTFD.</summary>
    public IReadOnlyList<EventFd> Doorbells { get; }

    public DeviceModelLink(HostedDomain guest) : this(guest, DeviceModelGrants.None)
    {
    }

    public DeviceModelLink(HostedDomain guest, DeviceModelGrants grants)
    {
        if (grants.Doorbells.Count > DeviceModelHeader.MaxDoorbells)
            throw new ArgumentException($"at most {DeviceModelHeader.MaxDoorbells} doorbells per device model", nameof(grants));
        _header = new DeviceModelHeader
        {
            Magic = DeviceModelHeader.MagicValue,
            Vcpus = (uint)guest.Vcpus.Length,
            Flags = (grants.GuestMemory ? DeviceModelHeader.FlagGuestMemory : 0) | (grants.Output ? DeviceModelHeader.FlagOutput : 0) | (grants.Input ? DeviceModelHeader.FlagInput : 0),
            GuestMemorySize = grants.GuestMemory ? guest.Memory.Size : 0,
            DoorbellCount = (uint)grants.Doorbells.Count,
            FileCount = (uint)grants.Files.Count,
        };
        if (_header.FdCount > UnixSocket.MaxFds)
            throw new ArgumentException($"a device model's {_header.FdCount} capabilities do not fit one message", nameof(grants));
        _guest = guest;
        Server = new IoreqServer(guest.DomId, guest.Vcpus.Length);
        State = SharedMemory.Create($"micro-d{guest.DomId}-dm-state", StatePageSize);
        try
        {
            if (grants.GuestMemory)
                _grantFds.Add(guest.Memory.Fd);
            if (grants.Output)
            {
                Output = DeviceOutputRing.Create($"micro-d{guest.DomId}-dm-output");
                _owned.Add(Output);
                _grantFds.Add(Output.Fd);
            }
            if (grants.Input)
            {
                Input = DeviceOutputRing.Create($"micro-d{guest.DomId}-dm-input");
                _owned.Add(Input);
                _grantFds.Add(Input.Fd);
            }
            var doorbells = new List<EventFd>();
            for (int i = 0; i < grants.Doorbells.Count; i++)
            {
                var e = EventFd.Create();
                _owned.Add(e);
                doorbells.Add(e);
                guest.Vm.BindIoEventFd(grants.Doorbells[i], 2, e.Fd);
                _grantFds.Add(e.Fd);
                _header.DoorbellPorts[i] = grants.Doorbells[i];
            }
            Doorbells = doorbells;
            foreach (string path in grants.Files)
            {
                var file = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite);
                _owned.Add(file);
                _grantFds.Add((int)file.DangerousGetHandle());
            }
        }
        catch
        {
            Dispose();
            throw;
        }
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
        // Rewritten at every registration: a previous instance may have scribbled over it.
        *(DeviceModelHeader*)(State.Pointer + DeviceModelHeader.Offset) = _header;
        var fds = new List<int> { Server.Page.Memory.Fd, State.Fd, Server.RequestReady.Fd };
        foreach (var e in Server.ResponseReady)
            fds.Add(e.Fd);
        fds.AddRange(_grantFds);
        return new(new OkReply(), [.. fds]);
    }

    public void Dispose()
    {
        _guest.Exits.PortIo.Remove(Server);
        Server?.Dispose();
        State?.Dispose();
        foreach (var o in _owned)
            o.Dispose();
    }
}
