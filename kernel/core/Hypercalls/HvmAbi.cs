namespace Micro.Core.Hypercalls;

/// <summary>HVMOP_* sub-ops and their argument structs (xen/include/public/hvm/hvm_op.h).</summary>
public static class HvmAbi
{
    public const int HVMOP_set_param = 0;
    public const int HVMOP_get_param = 1;
    public const int HVMOP_pagetable_dying = 9;
    public const int HVMOP_get_time = 10;
    public const int HVMOP_set_evtchn_upcall_vector = 23;
}

/// <summary>struct xen_hvm_param (16 bytes).</summary>
public struct XenHvmParam
{
    public ushort domid;
    public ushort pad;
    public uint index;
    public ulong value;
}

/// <summary>struct xen_hvm_evtchn_upcall_vector (8 bytes).</summary>
public struct XenHvmEvtchnUpcallVector
{
    public uint vcpu;
    public byte vector;
    public byte pad0;
    public ushort pad1;
}
