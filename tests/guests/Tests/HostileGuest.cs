using Micro.Guests.Runtime;
using static Iced.Intel.AssemblerRegisters;

namespace Micro.Guests.Tests;

/// <summary>
/// Sends the core garbage through the Xen ABI and checks Xen's answers: unknown hypercalls and sub-ops
/// (-ENOSYS), pointers outside its memory (-EFAULT), out-of-range ports, refs and params (-EINVAL), a
/// foreign domain's ports (-EPERM/-ESRCH), then shows it can still work normally.
/// </summary>
public static class HostileGuest
{
    private const long Arg = (long)GuestMap.Scratch;
    private const long Outside = 0x7FFF_0000_0000; // far beyond any guest's RAM

    public static GuestImage Build()
    {
        var g = new GuestBuilder("hostile");
        var a = g.A;

        a.xor(edi, edi);
        g.Hypercall(63); // no such hypercall
        g.ExpectRax(-Xen.ENOSYS, "hypercall 63 did not get -ENOSYS");

        a.mov(edi, 99);
        a.mov(esi, (uint)Arg);
        g.Hypercall(Xen.HYPERVISOR_event_channel_op);
        g.ExpectRax(-Xen.ENOSYS, "event_channel_op 99 did not get -ENOSYS");

        a.mov(edi, Xen.EVTCHNOP_alloc_unbound);
        a.mov(rsi, Outside);
        g.Hypercall(Xen.HYPERVISOR_event_channel_op);
        g.ExpectRax(-Xen.EFAULT, "alloc_unbound with its argument outside memory did not get -EFAULT");

        a.mov(edi, Xen.CONSOLEIO_write);
        a.mov(esi, 16);
        a.mov(rdx, Outside);
        g.Hypercall(Xen.HYPERVISOR_console_io);
        g.ExpectRax(-Xen.EFAULT, "console_io from outside memory did not get -EFAULT");

        a.mov(edi, Xen.CONSOLEIO_write);
        a.mov(esi, 16);
        a.mov(rdx, -8L); // wraps around the address space
        g.Hypercall(Xen.HYPERVISOR_console_io);
        g.ExpectRax(-Xen.EFAULT, "console_io wrapping the address space did not get -EFAULT");

        a.mov(__dword_ptr[Arg], 5000);
        a.mov(edi, Xen.EVTCHNOP_send);
        a.mov(esi, (uint)Arg);
        g.Hypercall(Xen.HYPERVISOR_event_channel_op);
        g.ExpectRax(-Xen.EINVAL, "send on port 5000 did not get -EINVAL");

        a.mov(__dword_ptr[Arg], 0);
        a.mov(edi, Xen.EVTCHNOP_send);
        a.mov(esi, (uint)Arg);
        g.Hypercall(Xen.HYPERVISOR_event_channel_op);
        g.ExpectRax(-Xen.EINVAL, "send on port 0 did not get -EINVAL");

        // alloc_unbound in another domain's table: only a privileged domain may.
        a.mov(__word_ptr[Arg], 2);
        a.mov(__word_ptr[Arg + 2], 0);
        a.mov(__dword_ptr[Arg + 4], 0);
        a.mov(edi, Xen.EVTCHNOP_alloc_unbound);
        a.mov(esi, (uint)Arg);
        g.Hypercall(Xen.HYPERVISOR_event_channel_op);
        g.ExpectRax(-Xen.EPERM, "alloc_unbound in d2's table did not get -EPERM");

        // bind_interdomain to a domain that does not exist.
        a.mov(__word_ptr[Arg], 4000);
        a.mov(__dword_ptr[Arg + 4], 1);
        a.mov(edi, Xen.EVTCHNOP_bind_interdomain);
        a.mov(esi, (uint)Arg);
        g.Hypercall(Xen.HYPERVISOR_event_channel_op);
        g.ExpectRax(-Xen.ESRCH, "bind_interdomain to d4000 did not get -ESRCH");

        a.mov(__word_ptr[Arg], Xen.DOMID_SELF);
        a.mov(__word_ptr[Arg + 2], 0);
        a.mov(__dword_ptr[Arg + 4], 9999);
        a.mov(__qword_ptr[Arg + 8], 1);
        a.mov(edi, Xen.HVMOP_set_param);
        a.mov(esi, (uint)Arg);
        g.Hypercall(Xen.HYPERVISOR_hvm_op);
        g.ExpectRax(-Xen.EINVAL, "set_param 9999 did not get -EINVAL");

        a.mov(edi, 77);
        a.mov(esi, (uint)Arg);
        g.Hypercall(Xen.HYPERVISOR_sched_op);
        g.ExpectRax(-Xen.ENOSYS, "sched_op 77 did not get -ENOSYS");

        // A grant map of a ref that was never granted.
        a.mov(__qword_ptr[Arg], 0x20_0000);
        a.mov(__dword_ptr[Arg + 8], 1);      // GNTMAP_host_map
        a.mov(__dword_ptr[Arg + 12], 5000);  // ref
        a.mov(__word_ptr[Arg + 16], 2);      // dom
        a.mov(edi, Xen.GNTTABOP_map_grant_ref);
        a.mov(esi, (uint)Arg);
        a.mov(edx, 1);
        g.Hypercall(Xen.HYPERVISOR_grant_table_op);
        var mapped = a.CreateLabel();
        a.cmp(__word_ptr[Arg + 20], 0);      // status: GNTST_okay would be wrong
        a.jl(mapped);
        g.Fail("a grant map of a ref never granted did not fail");
        a.Label(ref mapped);

        // Still alive and well served.
        a.mov(edi, 0);
        a.xor(esi, esi);
        g.Hypercall(Xen.HYPERVISOR_xen_version);
        var version = a.CreateLabel();
        a.test(rax, rax);
        a.jg(version);
        g.Fail("xen_version failed after the garbage");
        a.Label(ref version);
        g.Print("hostile: every piece of garbage got Xen's error\n");
        return g.Build();
    }
}
