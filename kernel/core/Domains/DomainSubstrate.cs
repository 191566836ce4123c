namespace Micro.Core.Domains;

/// <summary>
/// What the substrate does for one domain when the core asks. The core calls these while it holds the
/// core lock, so they must be quick and must not call back into the core.
/// </summary>
public abstract unsafe class DomainSubstrate
{
    /// <summary>
    /// evtchn_upcall_pending of <paramref name="vcpu"/> went from 0 to 1: deliver the event callback
    /// (the HVM callback vector from <see cref="Domain.UpcallVector"/>, or a service's doorbell) and wake
    /// the vCPU if it is blocked. Xen also re-injects on every VM entry while upcall_pending stays set.
    /// </summary>
    public abstract void RaiseUpcall(int vcpu);

    /// <summary>
    /// SCHEDOP_block or SCHEDOP_poll found nothing pending: after this hypercall returns, do not run
    /// <paramref name="vcpu"/> until <see cref="RaiseUpcall"/> or <see cref="WakeVcpu"/>, or until system
    /// time reaches <paramref name="timeoutNs"/> (0: no timeout).
    /// </summary>
    public abstract void BlockVcpu(int vcpu, ulong timeoutNs);

    /// <summary>A port <paramref name="vcpu"/> polls became pending (possibly masked): let the vCPU run again.</summary>
    public abstract void WakeVcpu(int vcpu);

    /// <summary>CONSOLEIO_write: bytes the domain printed on the hypervisor console.</summary>
    public abstract void ConsoleWrite(byte* data, int length);

    /// <summary>The domain was started, paused, unpaused, shut down or is being destroyed: run or stop its vCPUs.</summary>
    public abstract void StateChanged(DomainState state);

    /// <summary>
    /// A grant map by this (guest) domain with GNTMAP_host_map: make frame <paramref name="gfn"/> of
    /// <paramref name="granter"/> appear at this domain's guest-physical <paramref name="address"/>.
    /// 0 or a negative errno.
    /// </summary>
    public abstract int MapForeignFrame(ulong address, Domain granter, ulong gfn, bool readOnly);

    /// <summary>Undoes <see cref="MapForeignFrame"/> at <paramref name="address"/>.</summary>
    public abstract void UnmapForeignFrame(ulong address);
}
