namespace Micro.Core.Hypercalls;

/// <summary>XENVER_* sub-ops (xen/include/public/version.h) and what the core answers.</summary>
public static class XenVersionAbi
{
    public const int XENVER_version = 0;
    public const int XENVER_extraversion = 1;
    public const int XENVER_compile_info = 2;
    public const int XENVER_capabilities = 3;
    public const int XENVER_changeset = 4;
    public const int XENVER_platform_parameters = 5;
    public const int XENVER_get_features = 6;
    public const int XENVER_pagesize = 7;
    public const int XENVER_guest_handle = 8;
    public const int XENVER_commandline = 9;

    /// <summary>The Xen interface the core implements.</summary>
    public const int Major = 4;
    public const int Minor = 17;

    /// <summary>Sizes of the fixed char arrays (xen_extraversion_t, xen_compile_info_t, ...).</summary>
    public const uint ExtraversionSize = 16;
    public const uint CompileInfoSize = 144;
    public const uint CapabilitiesSize = 1024;
    public const uint ChangesetSize = 64;
    public const uint GuestHandleSize = 16;
    public const uint CommandlineSize = 1024;

    /// <summary>HYPERVISOR_VIRT_START on x86_64 (platform_parameters).</summary>
    public const ulong VirtStart = 0xFFFF800000000000;

    /// <summary>XENFEAT_* bits (xen/include/public/features.h) the core offers in submap 0.</summary>
    public const int XENFEAT_auto_translated_physmap = 2;
    public const int XENFEAT_hvm_callback_vector = 8;
    public const int XENFEAT_hvm_safe_pvclock = 9;
}

/// <summary>struct xen_feature_info (8 bytes).</summary>
public struct XenFeatureInfo
{
    public uint submap_idx;
    public uint submap;
}
