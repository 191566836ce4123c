using System.Runtime.InteropServices;

namespace Micro.Kernel.Kvm;

/// <summary>One KVM virtual machine: its memory slots, MSR filter, ioeventfds and vCPUs.</summary>
public sealed unsafe class KvmVm : IDisposable
{
    private int _fd;
    private uint _nextSlot;

    public KvmSystem System { get; }

    internal KvmVm(KvmSystem system, int fd)
    {
        System = system;
        _fd = fd;
    }

    internal int Fd => _fd;

    [StructLayout(LayoutKind.Sequential)]
    private struct UserspaceMemoryRegion
    {
        public uint Slot, Flags;
        public ulong GuestPhysAddr, MemorySize, UserspaceAddr;
    }

    private const uint KVM_MEM_READONLY = 1 << 1;

    /// <summary>Maps <paramref name="size"/> bytes at host address <paramref name="host"/> to guest-physical <paramref name="gpa"/>; returns the slot.</summary>
    public uint MapMemory(ulong gpa, byte* host, ulong size, bool readOnly = false)
    {
        uint slot = Interlocked.Increment(ref _nextSlot) - 1;
        var region = new UserspaceMemoryRegion { Slot = slot, Flags = readOnly ? KVM_MEM_READONLY : 0, GuestPhysAddr = gpa, MemorySize = size, UserspaceAddr = (ulong)host };
        KvmIoctls.Check(_fd, KvmIoctls.KVM_SET_USER_MEMORY_REGION, (nint)(&region), "KVM_SET_USER_MEMORY_REGION");
        return slot;
    }

    /// <summary>Removes a slot made by <see cref="MapMemory"/> (a region of size 0 deletes it).</summary>
    public void UnmapMemory(uint slot, ulong gpa)
    {
        var region = new UserspaceMemoryRegion { Slot = slot, GuestPhysAddr = gpa };
        KvmIoctls.Check(_fd, KvmIoctls.KVM_SET_USER_MEMORY_REGION, (nint)(&region), "KVM_SET_USER_MEMORY_REGION(delete)");
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct EnableCap
    {
        public uint Cap, Flags;
        public ulong Arg0, Arg1, Arg2, Arg3;
        public fixed byte Padding[64];
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MsrFilterRange
    {
        public uint Flags, NMsrs, Base, Padding;
        public byte* Bitmap;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MsrFilter
    {
        public uint Flags, Padding;
        public MsrFilterRange Range0;
        public fixed byte OtherRanges[15 * 24];
    }

    private const uint KVM_MSR_EXIT_REASON_INVAL = 1 << 0, KVM_MSR_EXIT_REASON_UNKNOWN = 1 << 1, KVM_MSR_EXIT_REASON_FILTER = 1 << 2;
    private const uint KVM_MSR_FILTER_READ = 1, KVM_MSR_FILTER_WRITE = 2;

    /// <summary>
    /// Makes reads and writes of one MSR exit to user space (KVM_EXIT_X86_RDMSR/WRMSR); every other
    /// MSR stays with KVM. Used for the Xen hypercall-page MSR.
    /// </summary>
    public void TrapMsr(uint index)
    {
        var cap = new EnableCap { Cap = KvmIoctls.KVM_CAP_X86_USER_SPACE_MSR, Arg0 = KVM_MSR_EXIT_REASON_FILTER };
        KvmIoctls.Check(_fd, KvmIoctls.KVM_ENABLE_CAP, (nint)(&cap), "KVM_ENABLE_CAP(X86_USER_SPACE_MSR)");
        byte bitmap = 0; // bit clear = denied = exits to user space; KVM copies it
        var filter = new MsrFilter
        {
            Flags = 0, // KVM_MSR_FILTER_DEFAULT_ALLOW
            Range0 = new MsrFilterRange { Flags = KVM_MSR_FILTER_READ | KVM_MSR_FILTER_WRITE, NMsrs = 1, Base = index, Bitmap = &bitmap },
        };
        KvmIoctls.Check(_fd, KvmIoctls.KVM_X86_SET_MSR_FILTER, (nint)(&filter), "KVM_X86_SET_MSR_FILTER");
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct IoEventFd
    {
        public ulong Datamatch, Addr;
        public uint Len;
        public int Fd;
        public uint Flags;
        public fixed byte Padding[36];
    }

    private const uint KVM_IOEVENTFD_FLAG_PIO = 1 << 1;

    /// <summary>
    /// Binds a port-I/O write of <paramref name="length"/> bytes to <paramref name="eventFd"/>: KVM
    /// signals it and resumes the guest without leaving the kernel (a doorbell that needs no answer).
    /// </summary>
    public void BindIoEventFd(ushort port, uint length, int eventFd)
    {
        var e = new IoEventFd { Addr = port, Len = length, Fd = eventFd, Flags = KVM_IOEVENTFD_FLAG_PIO };
        KvmIoctls.Check(_fd, KvmIoctls.KVM_IOEVENTFD, (nint)(&e), "KVM_IOEVENTFD");
    }

    public KvmVcpu CreateVcpu(int id)
    {
        int fd = KvmIoctls.Ioctl(_fd, KvmIoctls.KVM_CREATE_VCPU, id);
        if (fd < 0)
            throw new KvmException($"KVM_CREATE_VCPU({id}): {KvmIoctls.Describe(KvmIoctls.Errno)}");
        return new KvmVcpu(this, id, fd);
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
