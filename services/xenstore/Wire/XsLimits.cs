namespace Micro.XenStore.Wire;

/// <summary>The protocol's fixed limits (xs_wire.h).</summary>
public static class XsLimits
{
    public const int HeaderSize = 16;
    public const int PayloadMax = 4096;     // XENSTORE_PAYLOAD_MAX
    public const int AbsPathMax = 3072;     // XENSTORE_ABS_PATH_MAX
    public const int RelPathMax = 2048;     // XENSTORE_REL_PATH_MAX
}
