namespace Micro.Kernel.Kvm;

/// <summary>
/// /dev/kvm: checks the API version and every capability the backend relies on once, then creates VMs.
/// </summary>
public sealed unsafe class KvmSystem : IDisposable
{
    private int _fd;

    public int VcpuMmapSize { get; }

    /// <summary>KVM_CAP_SYNC_REGS: registers travel in kvm_run instead of extra ioctls per exit.</summary>
    public bool HasSyncRegs { get; }

    /// <summary>The host's supported CPUID entries, the base of every vCPU's CPUID table.</summary>
    internal CpuidEntry[] SupportedCpuid { get; }

    public KvmSystem(string path = "/dev/kvm")
    {
        _fd = KvmIoctls.Open(path, KvmIoctls.O_RDWR | KvmIoctls.O_CLOEXEC);
        if (_fd < 0)
            throw new KvmException($"open({path}): {KvmIoctls.Describe(KvmIoctls.Errno)}");
        try
        {
            int version = KvmIoctls.Ioctl(_fd, KvmIoctls.KVM_GET_API_VERSION, 0);
            if (version != KvmIoctls.KVM_API_VERSION)
                throw new KvmException($"KVM API version {version}, expected {KvmIoctls.KVM_API_VERSION}");
            Require(KvmIoctls.KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY");
            Require(KvmIoctls.KVM_CAP_X86_USER_SPACE_MSR, "KVM_CAP_X86_USER_SPACE_MSR (hypercall-page MSR)");
            Require(KvmIoctls.KVM_CAP_X86_MSR_FILTER, "KVM_CAP_X86_MSR_FILTER (hypercall-page MSR)");
            Require(KvmIoctls.KVM_CAP_IOEVENTFD, "KVM_CAP_IOEVENTFD");
            HasSyncRegs = (Extension(KvmIoctls.KVM_CAP_SYNC_REGS) & (int)KvmRun.KVM_SYNC_X86_REGS) != 0;
            VcpuMmapSize = KvmIoctls.Check(_fd, KvmIoctls.KVM_GET_VCPU_MMAP_SIZE, 0, "KVM_GET_VCPU_MMAP_SIZE");
            if (VcpuMmapSize < sizeof(KvmRun))
                throw new KvmException($"kvm_run mapping is {VcpuMmapSize} bytes, smaller than struct kvm_run");
            SupportedCpuid = CpuidEntry.GetSupported(_fd);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public int Extension(int capability) => KvmIoctls.Ioctl(_fd, KvmIoctls.KVM_CHECK_EXTENSION, capability);

    private void Require(int capability, string name)
    {
        if (Extension(capability) <= 0)
            throw new KvmException($"this host's KVM lacks {name}");
    }

    public KvmVm CreateVm()
    {
        int vm = KvmIoctls.Ioctl(_fd, KvmIoctls.KVM_CREATE_VM, 0);
        if (vm < 0)
            throw new KvmException($"KVM_CREATE_VM: {KvmIoctls.Describe(KvmIoctls.Errno)}");
        return new KvmVm(this, vm);
    }

    public void Dispose()
    {
        if (_fd >= 0)
        {
            KvmIoctls.Close(_fd);
            _fd = -1;
        }
    }
}
