using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Micro.Guests.Runtime;

/// <summary>
/// Event channels, shared_info and the callback vector for test guests, through the Xen ABI only
/// (event_channel_op, memory_op, hvm_op, sched_op; shared_info's 2-level pending and mask bitmaps).
/// Ports are immediates: the tests use the ports Xen's lowest-free allocation gives.
/// </summary>
public sealed class GuestEvents(GuestBuilder g)
{
    private const long Arg = (long)GuestMap.Scratch;            // argument structs
    public const long Counter = (long)GuestMap.Scratch + 0x100;  // upcalls taken by the handler
    private const long Idtr = (long)GuestMap.Scratch + 0x200;
    private const long PendingBits = (long)GuestMap.SharedInfo + 2048;
    private const long MaskBits = (long)GuestMap.SharedInfo + 2560;

    private Assembler A => g.A;

    /// <summary>XENMEM_add_to_physmap(XENMAPSPACE_shared_info, 0) at <see cref="GuestMap.SharedInfo"/>.</summary>
    public void MapSharedInfo() => g.AddToPhysmap(Xen.XENMAPSPACE_shared_info, GuestMap.SharedInfo, "shared_info");

    private void EvtchnOp(int cmd)
    {
        A.mov(edi, cmd);
        A.mov(esi, (uint)Arg);
        g.Hypercall(Xen.HYPERVISOR_event_channel_op);
    }

    /// <summary>EVTCHNOP_alloc_unbound for <paramref name="remoteDom"/>; fails the test unless it yields <paramref name="expectedPort"/>.</summary>
    public void AllocUnbound(int remoteDom, int expectedPort)
    {
        A.mov(__word_ptr[Arg], Xen.DOMID_SELF);
        A.mov(__word_ptr[Arg + 2], remoteDom);
        A.mov(__dword_ptr[Arg + 4], 0);
        EvtchnOp(Xen.EVTCHNOP_alloc_unbound);
        g.ExpectRax(0, $"alloc_unbound for d{remoteDom} failed");
        g.ExpectMem32(Arg + 4, expectedPort, $"alloc_unbound for d{remoteDom} did not give port {expectedPort}");
    }

    /// <summary>
    /// EVTCHNOP_bind_interdomain to <paramref name="remotePort"/> of <paramref name="remoteDom"/>, retried
    /// (with yields) until the peer has allocated it; fails unless the local port is <paramref name="expectedPort"/>.
    /// </summary>
    public void BindInterdomain(int remoteDom, int remotePort, int expectedPort)
    {
        var retry = A.CreateLabel();
        var bound = A.CreateLabel();
        A.mov(r15d, 1_000_000);
        A.Label(ref retry);
        A.mov(__word_ptr[Arg], remoteDom);
        A.mov(__word_ptr[Arg + 2], 0);
        A.mov(__dword_ptr[Arg + 4], remotePort);
        A.mov(__dword_ptr[Arg + 8], 0);
        EvtchnOp(Xen.EVTCHNOP_bind_interdomain);
        A.test(rax, rax);
        A.jz(bound);
        Yield();
        A.dec(r15d);
        A.jnz(retry);
        g.Fail($"bind_interdomain to d{remoteDom} port {remotePort} never succeeded");
        A.Label(ref bound);
        g.ExpectMem32(Arg + 8, expectedPort, $"bind_interdomain to d{remoteDom} did not give port {expectedPort}");
        // Xen marks a newly bound port pending (notifications sent while it was unbound are not lost).
        // Consume that notification and the upcall it raised, so that the test's own handshake starts clean.
        ExpectAndClearPending(expectedPort, $"bind_interdomain did not mark port {expectedPort} pending");
        A.mov(__byte_ptr[(long)GuestMap.SharedInfo], 0);
        A.@lock.and(__qword_ptr[(long)GuestMap.SharedInfo + 8], 0);
    }

    public void Send(int port)
    {
        A.mov(__dword_ptr[Arg], port);
        EvtchnOp(Xen.EVTCHNOP_send);
        g.ExpectRax(0, $"send on port {port} failed");
    }

    public void Unmask(int port)
    {
        A.mov(__dword_ptr[Arg], port);
        EvtchnOp(Xen.EVTCHNOP_unmask);
        g.ExpectRax(0, $"unmask of port {port} failed");
    }

    /// <summary>
    /// SCHEDOP_poll on one port until it is pending. Xen may return from a poll early (an event on another
    /// port kicks the vCPU), so, like a real guest, poll again until the port is pending (bounded).
    /// </summary>
    public void Poll(int port)
    {
        var again = A.CreateLabel();
        var done = A.CreateLabel();
        A.mov(r14d, 100_000);
        A.Label(ref again);
        A.bt(__qword_ptr[PendingBits + (port >> 6) * 8], (byte)(port & 63));
        A.jc(done);
        A.mov(__dword_ptr[Arg + 0x40], port);
        A.mov(__qword_ptr[Arg], (int)(Arg + 0x40));
        A.mov(__dword_ptr[Arg + 8], 1);
        A.mov(__qword_ptr[Arg + 16], 0);
        A.mov(edi, Xen.SCHEDOP_poll);
        A.mov(esi, (uint)Arg);
        g.Hypercall(Xen.HYPERVISOR_sched_op);
        g.ExpectRax(0, $"poll on port {port} failed");
        A.dec(r14d);
        A.jnz(again);
        g.Fail($"port {port} never became pending");
        A.Label(ref done);
    }

    public void Yield()
    {
        A.mov(edi, Xen.SCHEDOP_yield);
        A.xor(esi, esi);
        g.Hypercall(Xen.HYPERVISOR_sched_op);
    }

    /// <summary>Fails the test unless <paramref name="port"/> is pending in shared_info; then clears it.</summary>
    public void ExpectAndClearPending(int port, string reason)
    {
        var ok = A.CreateLabel();
        A.@lock.btr(__qword_ptr[PendingBits + (port >> 6) * 8], (byte)(port & 63));
        A.jc(ok);
        g.Fail(reason);
        A.Label(ref ok);
    }

    /// <summary>Waits (yielding, bounded) until <paramref name="port"/> is pending, without clearing it.</summary>
    public void WaitPending(int port, string reason)
    {
        var again = A.CreateLabel();
        var done = A.CreateLabel();
        A.mov(r15d, 1_000_000);
        A.Label(ref again);
        A.bt(__qword_ptr[PendingBits + (port >> 6) * 8], (byte)(port & 63));
        A.jc(done);
        Yield();
        A.dec(r15d);
        A.jnz(again);
        g.Fail(reason);
        A.Label(ref done);
    }

    public void Mask(int port) => A.@lock.bts(__qword_ptr[MaskBits + (port >> 6) * 8], (byte)(port & 63));

    /// <summary>
    /// Installs an IDT whose <paramref name="vector"/> gate runs a handler that counts upcalls at
    /// <see cref="Counter"/> and clears vcpu_info[0].evtchn_upcall_pending and the pending selector, then asks Xen for that
    /// vector (HVM_PARAM_CALLBACK_IRQ, type 2 = vector).
    /// </summary>
    public void UseCallbackVector(byte vector)
    {
        var handler = A.CreateLabel();
        var after = A.CreateLabel();
        A.jmp(after);
        A.Label(ref handler);
        A.@lock.inc(__qword_ptr[Counter]);
        // As Linux does: clear vcpu_info[0].evtchn_upcall_pending, then take the selector, or a later
        // event in an already-selected word raises no upcall (Xen sets the selector bit only when clear).
        A.mov(__byte_ptr[(long)GuestMap.SharedInfo], 0);
        A.@lock.and(__qword_ptr[(long)GuestMap.SharedInfo + 8], 0);
        A.iretq();
        A.Label(ref after);

        long gate = (long)GuestMap.Idt + vector * 16;
        A.lea(rax, __[handler]);
        A.mov(__word_ptr[gate], ax);
        A.mov(cx, cs);
        A.mov(__word_ptr[gate + 2], cx);
        A.mov(__word_ptr[gate + 4], 0x8E00); // present, DPL 0, 64-bit interrupt gate
        A.shr(rax, 16);
        A.mov(__word_ptr[gate + 6], ax);
        A.shr(rax, 16);
        A.mov(__dword_ptr[gate + 8], eax);
        A.mov(__dword_ptr[gate + 12], 0);
        A.mov(__word_ptr[Idtr], 256 * 16 - 1);
        A.mov(__qword_ptr[Idtr + 2], (int)GuestMap.Idt);
        A.lidt(__[Idtr]);
        A.mov(__qword_ptr[Counter], 0);

        A.mov(__word_ptr[Arg], Xen.DOMID_SELF);
        A.mov(__word_ptr[Arg + 2], 0);
        A.mov(__dword_ptr[Arg + 4], Xen.HVM_PARAM_CALLBACK_IRQ);
        A.mov(rax, (2L << 56) | vector);
        A.mov(__qword_ptr[Arg + 8], rax);
        A.mov(edi, Xen.HVMOP_set_param);
        A.mov(esi, (uint)Arg);
        g.Hypercall(Xen.HYPERVISOR_hvm_op);
        g.ExpectRax(0, "set_param(CALLBACK_IRQ) failed");
    }

    /// <summary>Halts with interrupts on until the handler has counted at least one upcall (then resets the count).</summary>
    public void WaitForUpcall()
    {
        var again = A.CreateLabel();
        var done = A.CreateLabel();
        A.nop(); // the loop label needs its own instruction: callers often end with a label
        A.Label(ref again);
        A.cmp(__qword_ptr[Counter], 0);
        A.jne(done);
        A.sti();
        A.hlt();
        A.cli();
        A.jmp(again);
        A.Label(ref done);
        A.mov(__qword_ptr[Counter], 0);
    }

    /// <summary>Yields a while with interrupts on; fails if any upcall arrives meanwhile.</summary>
    public void ExpectNoUpcall(string reason)
    {
        var again = A.CreateLabel();
        var ok = A.CreateLabel();
        A.mov(r15d, 200);
        A.Label(ref again);
        A.sti();
        Yield();
        A.cli();
        A.dec(r15d);
        A.jnz(again);
        A.cmp(__qword_ptr[Counter], 0);
        A.je(ok);
        g.Fail(reason);
        A.Label(ref ok);
    }
}
