using System.Runtime.InteropServices;

namespace Micro.Protocol.Os;

/// <summary>The Linux system calls the hosted build needs, declared once (source-generated, AOT-safe).</summary>
internal static unsafe partial class LibC
{
    public const int PROT_READ = 1, PROT_WRITE = 2;
    public const int MAP_SHARED = 1;
    public const uint MFD_CLOEXEC = 1, MFD_ALLOW_SEALING = 2;
    public const int EFD_CLOEXEC = 0x80000, EFD_NONBLOCK = 0x800, EFD_SEMAPHORE = 1;
    public const int EINTR = 4, EAGAIN = 11;
    public static readonly nint MAP_FAILED = -1;

    [LibraryImport("libc", EntryPoint = "memfd_create", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MemfdCreate(string name, uint flags);

    [LibraryImport("libc", EntryPoint = "ftruncate", SetLastError = true)]
    public static partial int Ftruncate(int fd, long length);

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    public static partial nint Mmap(nint addr, nuint length, int prot, int flags, int fd, long offset);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    public static partial int Munmap(nint addr, nuint length);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "dup", SetLastError = true)]
    public static partial int Dup(int fd);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, void* buf, nuint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, void* buf, nuint count);

    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initval, int flags);

    [LibraryImport("libc", EntryPoint = "fstat", SetLastError = true)]
    public static partial int Fstat(int fd, void* statbuf);

    [LibraryImport("libc", EntryPoint = "lseek", SetLastError = true)]
    public static partial long Lseek(int fd, long offset, int whence);

    public static int Errno => Marshal.GetLastPInvokeError();

    public static string Describe(int errno) => $"errno {errno} ({Marshal.GetPInvokeErrorMessage(errno)})";
}
