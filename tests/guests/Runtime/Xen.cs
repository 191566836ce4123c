namespace Micro.Guests.Runtime;

/// <summary>The Xen guest ABI numbers the test guests use (xen.h, sched.h, event_channel.h, grant_table.h, memory.h, hvm_op.h).</summary>
public static class Xen
{
    public const int HYPERVISOR_memory_op = 12, HYPERVISOR_xen_version = 17, HYPERVISOR_console_io = 18,
        HYPERVISOR_grant_table_op = 20, HYPERVISOR_sched_op = 29, HYPERVISOR_event_channel_op = 32, HYPERVISOR_hvm_op = 34;

    public const int CONSOLEIO_write = 0;
    public const int SCHEDOP_yield = 0, SCHEDOP_block = 1, SCHEDOP_shutdown = 2, SCHEDOP_poll = 3;
    public const int SHUTDOWN_poweroff = 0, SHUTDOWN_reboot = 1, SHUTDOWN_crash = 3;

    public const int EVTCHNOP_bind_interdomain = 0, EVTCHNOP_close = 3, EVTCHNOP_send = 4, EVTCHNOP_status = 5,
        EVTCHNOP_alloc_unbound = 6, EVTCHNOP_unmask = 9;

    public const int GNTTABOP_map_grant_ref = 0, GNTTABOP_setup_table = 2, GNTTABOP_query_size = 6;
    public const int XENMEM_add_to_physmap = 7;
    public const int XENMAPSPACE_shared_info = 0, XENMAPSPACE_grant_table = 1;
    public const int HVMOP_set_param = 0, HVMOP_get_param = 1;
    public const int HVM_PARAM_CALLBACK_IRQ = 0, HVM_PARAM_STORE_PFN = 1, HVM_PARAM_STORE_EVTCHN = 2,
        HVM_PARAM_CONSOLE_PFN = 17, HVM_PARAM_CONSOLE_EVTCHN = 18;

    public const int DOMID_SELF = 0x7FF0;
    public const int EPERM = 1, ENOENT = 2, ESRCH = 3, EFAULT = 14, EINVAL = 22, ENOSYS = 38;
}
