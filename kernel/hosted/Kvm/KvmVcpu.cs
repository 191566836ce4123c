namespace Micro.Kernel.Kvm;

/// <summary>
/// One vCPU: its fd and its mapped kvm_run page. KVM_RUN must be called from one thread only (the
/// vCPU's own). Registers travel in kvm_run when the host has SYNC_REGS, else through ioctls.
/// </summary>
public sealed unsafe class KvmVcpu : IDisposable
{
    private int _fd;
    private KvmRun* _run;
    private readonly int _mmapSize;
    private readonly bool _syncRegs;

    public int Id { get; }
    public KvmVm Vm { get; }

    internal KvmVcpu(KvmVm vm, int id, int fd)
    {
        Vm = vm;
        Id = id;
        _fd = fd;
        _syncRegs = vm.System.HasSyncRegs;
        _mmapSize = vm.System.VcpuMmapSize;
        nint p = KvmIoctls.Mmap(0, (nuint)_mmapSize, 3 /* PROT_READ|PROT_WRITE */, 1 /* MAP_SHARED */, fd, 0);
        if (p == -1)
        {
            int err = KvmIoctls.Errno;
            KvmIoctls.Close(fd);
            throw new KvmException($"mmap(kvm_run of vCPU {id}): {KvmIoctls.Describe(err)}");
        }
        _run = (KvmRun*)p;
        CpuidEntry.Set(fd, CpuidXenLeaves.Apply(vm.System.SupportedCpuid));
    }

    /// <summary>The shared kvm_run page; valid until <see cref="Dispose"/>.</summary>
    public ref KvmRun RunState => ref *_run;

    /// <summary>Enters the guest until the next exit; returns the exit reason, or <see cref="KvmExitReason.INTR"/> when a signal interrupted.</summary>
    public uint Run()
    {
        if (_syncRegs)
            _run->KvmValidRegs = KvmRun.KVM_SYNC_X86_REGS;
        int r = KvmIoctls.Ioctl(_fd, KvmIoctls.KVM_RUN, 0);
        if (r < 0)
        {
            int err = KvmIoctls.Errno;
            if (err == KvmIoctls.EINTR || err == KvmIoctls.EAGAIN)
                return KvmExitReason.INTR;
            throw new KvmException($"KVM_RUN on vCPU {Id}: {KvmIoctls.Describe(err)}");
        }
        _run->KvmDirtyRegs = 0;
        return _run->ExitReason;
    }

    public KvmRegs GetRegs()
    {
        if (_syncRegs)
            return _run->Regs;
        KvmRegs regs;
        KvmIoctls.Check(_fd, KvmIoctls.KVM_GET_REGS, (nint)(&regs), "KVM_GET_REGS");
        return regs;
    }

    public void SetRegs(in KvmRegs regs)
    {
        if (_syncRegs)
        {
            _run->Regs = regs;
            _run->KvmDirtyRegs |= KvmRun.KVM_SYNC_X86_REGS;
            return;
        }
        fixed (KvmRegs* p = &regs)
            KvmIoctls.Check(_fd, KvmIoctls.KVM_SET_REGS, (nint)p, "KVM_SET_REGS");
    }

    /// <summary>Sets only rax, the hypercall return value.</summary>
    public void SetRax(ulong value)
    {
        var regs = GetRegs();
        regs.Rax = value;
        SetRegs(regs);
    }

    public KvmSregs GetSregs()
    {
        KvmSregs sregs;
        KvmIoctls.Check(_fd, KvmIoctls.KVM_GET_SREGS, (nint)(&sregs), "KVM_GET_SREGS");
        return sregs;
    }

    public void SetSregs(in KvmSregs sregs)
    {
        fixed (KvmSregs* p = &sregs)
            KvmIoctls.Check(_fd, KvmIoctls.KVM_SET_SREGS, (nint)p, "KVM_SET_SREGS");
    }

    /// <summary>Queues an external interrupt (no in-kernel irqchip); valid when kvm_run says the guest is ready for one.</summary>
    public void Interrupt(uint vector)
    {
        uint irq = vector;
        KvmIoctls.Check(_fd, KvmIoctls.KVM_INTERRUPT, (nint)(&irq), "KVM_INTERRUPT");
    }

    public void Dispose()
    {
        if (_run != null)
        {
            KvmIoctls.Munmap((nint)_run, (nuint)_mmapSize);
            _run = null;
        }
        if (_fd >= 0)
        {
            KvmIoctls.Close(_fd);
            _fd = -1;
        }
    }
}
