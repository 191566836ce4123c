using Micro.Kernel.Ioreq;
using Micro.Protocol.Framing;
using Micro.Protocol.Messages;
using Micro.Protocol.Os;
using Microsoft.Win32.SafeHandles;

namespace Micro.Devices.Host;

/// <summary>
/// The process side of one device model: registers the device's port ranges with the core over its
/// control socket, maps what the core grants (checking every fd's kind and the header's counts), then
/// serves ioreqs, doorbells and ticks until the core goes away. On start it first serves whatever
/// request its predecessor left in the ioreq page.
/// </summary>
public sealed unsafe class DeviceModelHost : IDisposable
{
    private readonly UnixSocket _socket;
    private readonly DeviceModel _device;
    private readonly IoreqPage _page;
    private readonly EventFd _request;
    private readonly EventFd[] _responses;
    private readonly EventFd[] _doorbells;
    private readonly DeviceContext _context;
    private readonly int _delayUs;

    public long Served { get; private set; }

    private DeviceModelHost(UnixSocket socket, DeviceModel device, IoreqPage page, EventFd request, EventFd[] responses, EventFd[] doorbells, DeviceContext context, int delayUs)
    {
        _socket = socket;
        _device = device;
        _page = page;
        _request = request;
        _responses = responses;
        _doorbells = doorbells;
        _context = context;
        _delayUs = delayUs;
    }

    /// <summary>Registers <paramref name="device"/> for <paramref name="domid"/>; null (with the reason on stderr) when the core refuses.</summary>
    public static DeviceModelHost? Connect(string socketPath, ushort domid, DeviceModel device, int delayUs = 0)
    {
        var socket = UnixSocket.Connect(socketPath);
        try
        {
            int[]? fds = null;
            foreach (var range in device.Ports)
            {
                int[]? granted = Register(socket, domid, range);
                if (granted is null)
                {
                    CloseAll(fds);
                    socket.Dispose();
                    return null;
                }
                if (fds is null)
                    fds = granted;
                else
                    CloseAll(granted); // the same capabilities again
            }
            if (fds is null)
                throw new ArgumentException($"{device.Name} claims no ports", nameof(device));
            return Adopt(socket, device, fds, delayUs);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static int[]? Register(UnixSocket socket, ushort domid, PortRange range)
    {
        var codec = new FrameCodec();
        socket.Send(codec.Encode(new IoreqServerRegister(domid, IoreqKind.Port, range.Start, range.End), 1).Span);
        byte[] buffer = new byte[4096];
        int[] fds = new int[UnixSocket.MaxFds];
        var r = socket.Receive(buffer, fds, 10_000);
        if (r.Status != ReceiveStatus.Message)
            throw new IOException($"no answer to the registration of ports [{range.Start:x}, {range.End:x}] ({r.Status})");
        var result = FrameCodec.Decode(buffer.AsMemory(0, r.Length), out var reply, out _);
        if (!result.IsOk)
            throw new IOException($"bad reply to the registration: {result}");
        if (reply.Message is ErrorReply err)
        {
            CloseAll(fds.AsSpan(0, r.FdCount).ToArray());
            Console.Error.WriteLine($"registration of ports [{range.Start:x}, {range.End:x}] refused: errno {err.Errno}: {err.Reason}");
            return null;
        }
        if (reply.Message is not OkReply || r.FdCount < 4)
            throw new IOException($"unexpected reply {reply.Type} with {r.FdCount} fds");
        return fds.AsSpan(0, r.FdCount).ToArray();
    }

    private static void CloseAll(int[]? fds)
    {
        foreach (int fd in fds ?? [])
            new SafeFileHandle(fd, ownsHandle: true).Dispose();
    }

    private static DeviceModelHost Adopt(UnixSocket socket, DeviceModel device, int[] fds, int delayUs)
    {
        // Mapped in the order DeviceModelHeader documents; each constructor checks the fd's kind.
        var page = IoreqPage.Map(fds[0]);
        var state = SharedMemory.Map(fds[1], DeviceModelLink.StatePageSize);
        var header = *(DeviceModelHeader*)(state.Pointer + DeviceModelHeader.Offset);
        if (header.Magic != DeviceModelHeader.MagicValue || header.Vcpus < 1 || header.Vcpus > IoreqPage.MaxVcpus
            || header.DoorbellCount > DeviceModelHeader.MaxDoorbells || header.FileCount > UnixSocket.MaxFds || header.FdCount != fds.Length)
            throw new IOException($"the grant header does not match the {fds.Length} fds received");
        int next = 2;
        var request = EventFd.Adopt(fds[next++]);
        var responses = new EventFd[header.Vcpus];
        for (int i = 0; i < responses.Length; i++)
            responses[i] = EventFd.Adopt(fds[next++]);
        GuestRam? ram = (header.Flags & DeviceModelHeader.FlagGuestMemory) != 0 ? new GuestRam(SharedMemory.Map(fds[next++], (long)header.GuestMemorySize)) : null;
        SharedMemory? output = (header.Flags & DeviceModelHeader.FlagOutput) != 0 ? SharedMemory.Map(fds[next++], DeviceOutputRing.Size) : null;
        SharedMemory? input = (header.Flags & DeviceModelHeader.FlagInput) != 0 ? SharedMemory.Map(fds[next++], DeviceOutputRing.Size) : null;
        var doorbells = new EventFd[header.DoorbellCount];
        for (int i = 0; i < doorbells.Length; i++)
            doorbells[i] = EventFd.Adopt(fds[next++]);
        var files = new List<SafeFileHandle>();
        for (int i = 0; i < header.FileCount; i++)
            files.Add(new SafeFileHandle(fds[next++], ownsHandle: true));
        var context = new DeviceContext { State = state, Ram = ram, Output = output, Input = input, Files = files };
        device.Attach(context);
        return new DeviceModelHost(socket, device, page, request, responses, doorbells, context, delayUs);
    }

    /// <summary>Serves until the core closes the control socket; returns the process exit code.</summary>
    public int Run()
    {
        var waitSet = new int[1 + _doorbells.Length + 1];
        waitSet[0] = _request.Fd;
        for (int i = 0; i < _doorbells.Length; i++)
            waitSet[1 + i] = _doorbells[i].Fd;
        waitSet[^1] = _socket.Fd;
        byte[] buffer = new byte[4096];
        int[] none = [];
        // First the request a predecessor may have committed but not answered (its stamp must still be
        // the journal's last), then any queue work or notification it left behind.
        ServeAll();
        for (int d = 0; d < _doorbells.Length; d++)
            _device.Doorbell(d);
        while (true)
        {
            ServeAll();
            int ready = Poll.WaitAny(waitSet, _device.TickMilliseconds);
            if (ready == 0)
                _request.TryConsume();
            else if (ready > 0 && ready <= _doorbells.Length)
            {
                _doorbells[ready - 1].TryConsume();
                if (_delayUs > 0)
                    Thread.Sleep(TimeSpan.FromMicroseconds(_delayUs));
                _device.Doorbell(ready - 1);
            }
            else if (ready == waitSet.Length - 1)
            {
                if (_socket.Receive(buffer, none, 0).Status == ReceiveStatus.Closed)
                    return 0; // the core is gone
            }
            _device.Tick();
        }
    }

    private void ServeAll()
    {
        for (int v = 0; v < _responses.Length; v++)
            Serve(v);
    }

    private void Serve(int vcpu)
    {
        ref IoreqSlot slot = ref _page.Slot(vcpu);
        byte flags = Volatile.Read(ref slot.Flags);
        byte st = IoreqSlot.State(flags);
        if (st != IoreqSlot.STATE_IOREQ_READY && st != IoreqSlot.STATE_IOREQ_INPROCESS)
            return;
        byte dir = IoreqSlot.Dir(flags);
        ulong sequence = Volatile.Read(ref _page.Sequence(vcpu));
        Volatile.Write(ref slot.Flags, IoreqSlot.MakeFlags(IoreqSlot.STATE_IOREQ_INPROCESS, dir));
        ulong data = 0;
        int shutdown = -1;
        // The page is the core's, but check what we act on: a port access of 1, 2 or 4 bytes.
        if (slot.Type == IoreqSlot.IOREQ_TYPE_PIO && slot.Addr <= 0xFFFF && slot.Size is 1 or 2 or 4)
        {
            var access = new IoAccess((ushort)slot.Addr, (int)slot.Size, dir == IoreqSlot.IOREQ_WRITE, slot.Data);
            if (_delayUs > 0)
                Thread.Sleep(TimeSpan.FromMicroseconds(_delayUs));
            data = _device.Access(vcpu, sequence, access, out shutdown);
        }
        else
            _context.Log($"{_device.Name}: malformed ioreq on vCPU {vcpu}: type {slot.Type} addr {slot.Addr:x} size {slot.Size}");
        slot.Data = data;
        if (shutdown >= 0)
            _page.RequestShutdown(shutdown);
        Volatile.Write(ref slot.Flags, IoreqSlot.MakeFlags(IoreqSlot.STATE_IORESP_READY, dir));
        _responses[vcpu].Signal();
        Served++;
    }

    public void Dispose()
    {
        _context.Dispose();
        _page.Dispose();
        _request.Dispose();
        foreach (var e in _responses)
            e.Dispose();
        foreach (var e in _doorbells)
            e.Dispose();
        _socket.Dispose();
    }
}
