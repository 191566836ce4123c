using Micro.HvmLoader.Bios;
using Micro.HvmLoader.Boot;
using Micro.HvmLoader.Firmware;

namespace Micro.HvmLoader;

/// <summary>
/// Everything hvmloader built for one guest: its memory image, the boot vCPU's entry state, the
/// firmware tables (kernel boots) or the fw_cfg items (BIOS boots), and the xenstore keys that
/// record it, relative to the domain's path (the toolstack writes them).
/// </summary>
public sealed record HvmBuild(GuestImage Image, VcpuEntry Entry, string Protocol, FirmwareTables? Tables, FwCfgItems? FwCfg, IReadOnlyList<KeyValuePair<string, string>> XenStoreKeys)
{
    /// <summary>The keys with the domain's path in front, as the toolstack writes them.</summary>
    public IEnumerable<KeyValuePair<string, string>> XenStoreKeysFor(int domid) =>
        XenStoreKeys.Select(k => KeyValuePair.Create($"/local/domain/{domid}/{k.Key}", k.Value));
}
