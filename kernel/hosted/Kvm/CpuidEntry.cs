using System.Runtime.InteropServices;

namespace Micro.Kernel.Kvm;

/// <summary>struct kvm_cpuid_entry2 (40 bytes) and the kvm_cpuid2 array calls around it.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CpuidEntry
{
    public uint Function, Index, Flags, Eax, Ebx, Ecx, Edx;
    public uint Padding0, Padding1, Padding2;

    private const int MaxEntries = 256;

    public static CpuidEntry[] GetSupported(int kvmFd)
    {
        int size = 8 + MaxEntries * sizeof(CpuidEntry);
        byte* buf = (byte*)NativeMemory.AllocZeroed((nuint)size);
        try
        {
            *(uint*)buf = MaxEntries;
            KvmIoctls.Check(kvmFd, KvmIoctls.KVM_GET_SUPPORTED_CPUID, (nint)buf, "KVM_GET_SUPPORTED_CPUID");
            uint n = *(uint*)buf;
            var entries = new CpuidEntry[n];
            for (int i = 0; i < n; i++)
                entries[i] = ((CpuidEntry*)(buf + 8))[i];
            return entries;
        }
        finally
        {
            NativeMemory.Free(buf);
        }
    }

    public static void Set(int vcpuFd, ReadOnlySpan<CpuidEntry> entries)
    {
        int size = 8 + entries.Length * sizeof(CpuidEntry);
        byte* buf = (byte*)NativeMemory.AllocZeroed((nuint)size);
        try
        {
            *(uint*)buf = (uint)entries.Length;
            entries.CopyTo(new Span<CpuidEntry>(buf + 8, entries.Length));
            KvmIoctls.Check(vcpuFd, KvmIoctls.KVM_SET_CPUID2, (nint)buf, "KVM_SET_CPUID2");
        }
        finally
        {
            NativeMemory.Free(buf);
        }
    }
}
