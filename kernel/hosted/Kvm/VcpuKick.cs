using System.Runtime.InteropServices;

namespace Micro.Kernel.Kvm;

/// <summary>
/// Forces a vCPU thread out of KVM_RUN: the standard KVM pattern of kvm_run.immediate_exit plus a
/// signal whose handler does nothing. The handler is one <c>ret</c> instruction in its own page, so
/// no managed code ever runs in signal context.
/// </summary>
internal static unsafe partial class VcpuKick
{
    private static readonly object Gate = new();
    private static int _signal;

    /// <summary>The kick signal (a real-time signal the .NET runtime does not use), installed once.</summary>
    public static int Signal
    {
        get
        {
            lock (Gate)
            {
                if (_signal == 0)
                    _signal = Install();
                return _signal;
            }
        }
    }

    private static int Install()
    {
        int signal = CurrentSigRtMin() + 6;
        nint code = KvmIoctls.Mmap(0, 4096, 3, 0x22 /* MAP_PRIVATE|MAP_ANONYMOUS */, -1, 0);
        if (code == -1)
            throw new KvmException($"mmap(kick handler): {KvmIoctls.Describe(KvmIoctls.Errno)}");
        *(byte*)code = 0xC3; // ret
        if (Mprotect(code, 4096, 5 /* PROT_READ|PROT_EXEC */) != 0)
            throw new KvmException($"mprotect(kick handler): {KvmIoctls.Describe(KvmIoctls.Errno)}");
        byte* action = stackalloc byte[152]; // glibc struct sigaction
        new Span<byte>(action, 152).Clear();
        *(nint*)action = code;
        *(int*)(action + 136) = 0x10000000; // SA_RESTART: other system calls of the thread resume
        if (Sigaction(signal, action, null) != 0)
            throw new KvmException($"sigaction({signal}): {KvmIoctls.Describe(KvmIoctls.Errno)}");
        return signal;
    }

    public static void Send(nuint thread) => _ = PthreadKill(thread, Signal);

    [LibraryImport("libc", EntryPoint = "__libc_current_sigrtmin")]
    private static partial int CurrentSigRtMin();

    [LibraryImport("libc", EntryPoint = "mprotect", SetLastError = true)]
    private static partial int Mprotect(nint addr, nuint len, int prot);

    [LibraryImport("libc", EntryPoint = "sigaction", SetLastError = true)]
    private static partial int Sigaction(int signum, byte* act, byte* oldact);

    [LibraryImport("libc", EntryPoint = "pthread_kill")]
    private static partial int PthreadKill(nuint thread, int sig);

    [LibraryImport("libc", EntryPoint = "pthread_self")]
    public static partial nuint PthreadSelf();
}
