using Micro.Kernel.Domains;
using Micro.Kernel.Kvm;
using Micro.Protocol.Os;

namespace Micro.Kernel.Ioreq;

/// <summary>
/// The core's side of one device model serving one guest (Xen's ioreq server): the shared ioreq
/// page, an eventfd the core signals when a request is ready, and one eventfd per vCPU the device
/// model signals when that vCPU's response is ready. A vCPU whose access falls in the model's ranges
/// waits here until the response arrives — across the model's death and restart, since the request
/// stays in the page. All capabilities belong to the core and are handed again to each new instance.
/// </summary>
public sealed unsafe class IoreqServer : IDisposable
{
    private static readonly TimeSpan WaitSlice = TimeSpan.FromMilliseconds(50);

    public int TargetDomid { get; }
    public IoreqPage Page { get; }
    public EventFd RequestReady { get; } = EventFd.Create();
    public EventFd[] ResponseReady { get; }

    /// <summary>Requests forwarded so far (all vCPUs).</summary>
    public long Forwarded => Interlocked.Read(ref _forwarded);
    private long _forwarded;

    public IoreqServer(int targetDomid, int vcpus)
    {
        if (vcpus < 1 || vcpus > IoreqPage.MaxVcpus)
            throw new ArgumentOutOfRangeException(nameof(vcpus));
        TargetDomid = targetDomid;
        Page = IoreqPage.Create($"micro-d{targetDomid}-ioreq");
        ResponseReady = new EventFd[vcpus];
        for (int i = 0; i < vcpus; i++)
            ResponseReady[i] = EventFd.Create();
    }

    /// <summary>
    /// Forwards a port-I/O exit of <paramref name="vcpu"/> and waits for the answer. Returns false when
    /// the domain shut down while waiting (the exit is then abandoned with the domain).
    /// </summary>
    public bool Forward(Vcpu vcpu, ref KvmRun run, byte* data)
    {
        int size = run.IoSize;
        byte dir = run.IoDirection == KvmRun.KVM_EXIT_IO_OUT ? IoreqSlot.IOREQ_WRITE : IoreqSlot.IOREQ_READ;
        for (uint i = 0; i < run.IoCount; i++) // rep ins/outs: one request per element
        {
            byte* element = data + i * size;
            ulong value = 0;
            if (dir == IoreqSlot.IOREQ_WRITE)
                new ReadOnlySpan<byte>(element, size).CopyTo(new Span<byte>(&value, 8));
            if (!Request(vcpu, run.IoPort, (uint)size, dir, ref value))
                return false;
            if (dir == IoreqSlot.IOREQ_READ)
                new ReadOnlySpan<byte>(&value, size).CopyTo(new Span<byte>(element, size));
        }
        return true;
    }

    private bool Request(Vcpu vcpu, ulong addr, uint size, byte dir, ref ulong value)
    {
        ref IoreqSlot slot = ref Page.Slot(vcpu.Id);
        slot.Addr = addr;
        slot.Data = dir == IoreqSlot.IOREQ_WRITE ? value : 0;
        slot.Count = 1;
        slot.Size = size;
        slot.Type = IoreqSlot.IOREQ_TYPE_PIO;
        Page.Sequence(vcpu.Id)++;
        Volatile.Write(ref slot.Flags, IoreqSlot.MakeFlags(IoreqSlot.STATE_IOREQ_READY, dir));
        Interlocked.Increment(ref _forwarded);
        RequestReady.Signal();

        var response = ResponseReady[vcpu.Id];
        while (IoreqSlot.State(Volatile.Read(ref slot.Flags)) != IoreqSlot.STATE_IORESP_READY)
        {
            if (vcpu.Domain.IsShutDown)
                return false;
            response.Wait((int)WaitSlice.TotalMilliseconds);
        }
        // The device model is untrusted: only the bytes of the access's size are taken from its answer.
        if (dir == IoreqSlot.IOREQ_READ)
            value = size >= 8 ? slot.Data : slot.Data & ((1UL << (int)(size * 8)) - 1);
        Volatile.Write(ref slot.Flags, IoreqSlot.STATE_IOREQ_NONE);
        int shutdown = Page.TakeShutdownRequest();
        if (shutdown >= 0)
            return !RemoteShutdown(vcpu.Domain, shutdown);
        return true;
    }

    /// <summary>
    /// SCHEDOP_remote_shutdown on behalf of the device model, for its own guest only (the page is that
    /// guest's) and only poweroff or reboot: what a machine's reset line or power controller can do.
    /// </summary>
    private static bool RemoteShutdown(HostedDomain domain, int reason)
    {
        if (reason != (int)ShutdownReason.Poweroff && reason != (int)ShutdownReason.Reboot)
        {
            domain.Log.Write($"d{domain.DomId}: device model asked for shutdown reason {reason}: refused (only poweroff or reboot)");
            return false;
        }
        domain.Log.Write($"d{domain.DomId}: device model requests {((ShutdownReason)reason).ToString().ToLowerInvariant()}");
        domain.Core.Hypervisor.Lock.Enter();
        domain.Core.Hypervisor.DomainOps.Shutdown(domain.CoreDomain, reason);
        domain.Core.Hypervisor.Lock.Exit();
        return true;
    }

    public void Dispose()
    {
        Page.Dispose();
        RequestReady.Dispose();
        foreach (var e in ResponseReady)
            e.Dispose();
    }
}
