using System.Runtime.InteropServices;

namespace Micro.EchoService;

/// <summary>
/// micro-echoservice --probe: reports what the sandbox left this process — its uid, whether /dev/kvm
/// opens, whether ptrace and unshare work, and the kernel's view (no_new_privs, seccomp mode,
/// effective capabilities) — as one line on stdout, which the supervisor logs.
/// </summary>
internal static partial class SandboxProbe
{
    private const int O_RDWR = 2, PTRACE_ATTACH = 16, CLONE_NEWUSER = 0x10000000;

    public static int Run()
    {
        int kvm = Open("/dev/kvm", O_RDWR);
        string kvmResult = kvm >= 0 ? "opened" : $"errno {Marshal.GetLastPInvokeError()}";
        if (kvm >= 0)
            Close(kvm);
        long ptrace = Ptrace(PTRACE_ATTACH, GetPpid(), 0, 0);
        string ptraceResult = ptrace == 0 ? "attached" : $"errno {Marshal.GetLastPInvokeError()}";
        int unshare = Unshare(CLONE_NEWUSER);
        string unshareResult = unshare == 0 ? "done" : $"errno {Marshal.GetLastPInvokeError()}";
        string status = string.Join(' ', File.ReadAllLines("/proc/self/status")
            .Where(l => l.StartsWith("NoNewPrivs:", StringComparison.Ordinal) || l.StartsWith("Seccomp:", StringComparison.Ordinal) || l.StartsWith("CapEff:", StringComparison.Ordinal))
            .Select(l => l.Replace("\t", "", StringComparison.Ordinal)));
        Console.WriteLine($"probe: uid={GetUid()} gid={GetGid()} kvm={kvmResult} ptrace={ptraceResult} unshare={unshareResult} {status}");
        return 0;
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "ptrace", SetLastError = true)]
    private static partial long Ptrace(int request, int pid, nint addr, nint data);

    [LibraryImport("libc", EntryPoint = "unshare", SetLastError = true)]
    private static partial int Unshare(int flags);

    [LibraryImport("libc", EntryPoint = "getppid")]
    private static partial int GetPpid();

    [LibraryImport("libc", EntryPoint = "getuid")]
    private static partial uint GetUid();

    [LibraryImport("libc", EntryPoint = "getgid")]
    private static partial uint GetGid();
}
