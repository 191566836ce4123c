using Micro.Kernel.Domains;
using Micro.Kernel.Ioreq;

namespace Micro.HvmLoader.Tests;

/// <summary>
/// Serves a port range of a hosted guest from a thread of the test, over a real ioreq page and
/// eventfds as a device-model process would: each request goes to <c>access(port, size, write,
/// value)</c>, whose result answers reads. For the BIOS test's debug console and fw_cfg ports.
/// </summary>
internal sealed class PortServer : IDisposable
{
    private readonly IoreqServer _server;
    private readonly HostedDomain _domain;
    private readonly Thread _thread;
    private readonly Func<ushort, int, bool, ulong, ulong> _access;
    private volatile bool _stop;

    public PortServer(HostedDomain domain, ushort start, ushort end, Func<ushort, int, bool, ulong, ulong> access)
    {
        _domain = domain;
        _access = access;
        _server = new IoreqServer(domain.DomId, domain.Vcpus.Length);
        if (!domain.Exits.PortIo.TryAdd(start, end, _server))
            throw new InvalidOperationException($"ports {start:x}..{end:x} are taken");
        _thread = new Thread(Serve) { IsBackground = true, Name = $"ports-{start:x}" };
        _thread.Start();
    }

    private void Serve()
    {
        while (!_stop)
        {
            for (int v = 0; v < _server.ResponseReady.Length; v++)
            {
                ref IoreqSlot slot = ref _server.Page.Slot(v);
                byte flags = Volatile.Read(ref slot.Flags);
                if (IoreqSlot.State(flags) != IoreqSlot.STATE_IOREQ_READY)
                    continue;
                byte dir = IoreqSlot.Dir(flags);
                slot.Data = _access((ushort)slot.Addr, (int)slot.Size, dir == IoreqSlot.IOREQ_WRITE, slot.Data);
                Volatile.Write(ref slot.Flags, IoreqSlot.MakeFlags(IoreqSlot.STATE_IORESP_READY, dir));
                _server.ResponseReady[v].Signal();
            }
            _server.RequestReady.Wait(50);
        }
    }

    public void Dispose()
    {
        _stop = true;
        _thread.Join(TimeSpan.FromSeconds(5));
        _domain.Exits.PortIo.Remove(_server);
        _server.Dispose();
    }
}
