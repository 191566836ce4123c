using System.Runtime.InteropServices;

namespace Micro.Kernel.Kvm;

/// <summary>
/// The KVM ioctl numbers and capability ids this backend uses (linux/kvm.h, x86-64), and the few
/// system calls around them. Numbers are written out because the header is C.
/// </summary>
internal static unsafe partial class KvmIoctls
{
    // System ioctls on /dev/kvm.
    public const ulong KVM_GET_API_VERSION = 0xAE00;
    public const ulong KVM_CREATE_VM = 0xAE01;
    public const ulong KVM_CHECK_EXTENSION = 0xAE03;
    public const ulong KVM_GET_VCPU_MMAP_SIZE = 0xAE04;
    public const ulong KVM_GET_SUPPORTED_CPUID = 0xC008AE05;

    // VM ioctls.
    public const ulong KVM_CREATE_VCPU = 0xAE41;
    public const ulong KVM_SET_USER_MEMORY_REGION = 0x4020AE46;
    public const ulong KVM_SET_TSS_ADDR = 0xAE47;
    public const ulong KVM_IOEVENTFD = 0x4040AE79;
    public const ulong KVM_ENABLE_CAP = 0x4068AEA3;
    public const ulong KVM_X86_SET_MSR_FILTER = 0x4188AEC6;

    // vCPU ioctls.
    public const ulong KVM_RUN = 0xAE80;
    public const ulong KVM_GET_REGS = 0x8090AE81;
    public const ulong KVM_SET_REGS = 0x4090AE82;
    public const ulong KVM_GET_SREGS = 0x8138AE83;
    public const ulong KVM_SET_SREGS = 0x4138AE84;
    public const ulong KVM_INTERRUPT = 0x4004AE86;
    public const ulong KVM_SET_CPUID2 = 0x4008AE90;

    // Capabilities.
    public const int KVM_CAP_HLT = 1;
    public const int KVM_CAP_USER_MEMORY = 3;
    public const int KVM_CAP_IOEVENTFD = 36;
    public const int KVM_CAP_SYNC_REGS = 74;
    public const int KVM_CAP_IMMEDIATE_EXIT = 136;
    public const int KVM_CAP_X86_USER_SPACE_MSR = 188;
    public const int KVM_CAP_X86_MSR_FILTER = 189;

    public const int KVM_API_VERSION = 12;

    public const int O_RDWR = 2, O_CLOEXEC = 0x80000;
    public const int EINTR = 4, EAGAIN = 11;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, ulong request, nint arg);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    public static partial nint Mmap(nint addr, nuint length, int prot, int flags, int fd, long offset);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    public static partial int Munmap(nint addr, nuint length);

    public static int Errno => Marshal.GetLastPInvokeError();

    public static string Describe(int errno) => $"errno {errno} ({Marshal.GetPInvokeErrorMessage(errno)})";

    /// <summary>An ioctl whose failure is a bug or a missing capability: fails with the call's name.</summary>
    public static int Check(int fd, ulong request, nint arg, string what)
    {
        int r = Ioctl(fd, request, arg);
        if (r < 0)
            throw new KvmException($"{what}: {Describe(Errno)}");
        return r;
    }
}

/// <summary>A KVM call failed or a capability this backend relies on is missing.</summary>
public sealed class KvmException(string message) : Exception(message);
