namespace Micro.Core.Hypercalls;

/// <summary>VCPUOP_* sub-ops and struct vcpu_register_vcpu_info (xen/include/public/vcpu.h).</summary>
public static class VcpuAbi
{
    public const int VCPUOP_initialise = 0;
    public const int VCPUOP_up = 1;
    public const int VCPUOP_down = 2;
    public const int VCPUOP_is_up = 3;
    public const int VCPUOP_get_runstate_info = 4;
    public const int VCPUOP_register_runstate_memory_area = 5;
    public const int VCPUOP_set_periodic_timer = 6;
    public const int VCPUOP_stop_periodic_timer = 7;
    public const int VCPUOP_set_singleshot_timer = 8;
    public const int VCPUOP_stop_singleshot_timer = 9;
    public const int VCPUOP_register_vcpu_info = 10;
}

/// <summary>struct vcpu_register_vcpu_info (16 bytes).</summary>
public struct VcpuRegisterVcpuInfo
{
    public ulong mfn;
    public uint offset;
    public uint rsvd;
}
