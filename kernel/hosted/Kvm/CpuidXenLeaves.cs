namespace Micro.Kernel.Kvm;

/// <summary>
/// The hypervisor CPUID leaves a Xen HVM guest probes: 0x40000000 "XenVMMXenVMM" with the highest
/// leaf, 0x40000001 the version, 0x40000002 the hypercall-page count and MSR. KVM's own
/// 0x4000xxxx leaves are replaced so the guest sees Xen only.
/// </summary>
public static class CpuidXenLeaves
{
    public const uint Base = 0x40000000;
    public const uint HypercallMsr = 0x40000000;
    public const uint VersionMajor = 4, VersionMinor = 17;

    internal static CpuidEntry[] Apply(ReadOnlySpan<CpuidEntry> supported)
    {
        var list = new List<CpuidEntry>(supported.Length + 3);
        foreach (var e in supported)
        {
            if ((e.Function & 0xFFFF0000) != 0x40000000)
                list.Add(e);
        }
        // "XenVMMXenVMM" in ebx, ecx, edx as little-endian dwords.
        list.Add(new CpuidEntry { Function = Base, Eax = Base + 2, Ebx = 0x566E6558, Ecx = 0x65584D4D, Edx = 0x4D4D566E });
        list.Add(new CpuidEntry { Function = Base + 1, Eax = (VersionMajor << 16) | VersionMinor });
        list.Add(new CpuidEntry { Function = Base + 2, Eax = 1, Ebx = HypercallMsr });
        return list.ToArray();
    }
}
