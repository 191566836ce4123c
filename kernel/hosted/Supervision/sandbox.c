/*
 * micro-sandbox UID GID PROGRAM [ARGS...]: the least-privilege launcher of a service process.
 * Runs as root, then execs PROGRAM in place (the pid the core watches stays the service's):
 *   1. private mount, IPC, UTS and network namespaces (so /dev/kvm, root:kvm 0660, is out of reach by uid);
 *   2. every capability dropped from the bounding set; no supplementary groups; its own uid/gid;
 *      the capability sets emptied;
 *   3. no_new_privs, then a seccomp allowlist: the system calls a .NET service needs (threads,
 *      memory, files, sockets with fd passing, eventfd, epoll, signals); everything else fails
 *      with EPERM (ptrace, mount, namespaces, module and key management, bpf, perf, kexec, ...).
 * Without root it only applies no_new_privs and the filter. Exit code 126 when a step fails.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *const allowed[] = {
    "read", "write", "readv", "writev", "pread64", "pwrite64", "lseek", "close", "close_range",
    "openat", "open", "access", "faccessat", "faccessat2", "stat", "fstat", "lstat", "newfstatat",
    "statx", "statfs", "fstatfs", "readlink", "readlinkat", "getdents64", "getcwd", "chdir", "fchdir",
    "mkdir", "mkdirat", "rmdir", "unlink", "unlinkat", "rename", "renameat", "renameat2", "link",
    "linkat", "symlink", "symlinkat", "chmod", "fchmod", "fchmodat", "umask", "truncate", "ftruncate",
    "fallocate", "fsync", "fdatasync", "flock", "fcntl", "dup", "dup2", "dup3", "pipe", "pipe2",
    "ioctl", "inotify_init1", "inotify_add_watch", "inotify_rm_watch",
    "mmap", "munmap", "mprotect", "mremap", "madvise", "msync", "mincore", "brk", "memfd_create",
    "membarrier", "get_mempolicy", "mlock", "munlock",
    "clone", "clone3", "fork", "vfork", "execve", "exit", "exit_group", "wait4", "waitid", "set_tid_address",
    "set_robust_list", "get_robust_list", "rseq", "futex", "arch_prctl", "prctl", "sched_yield",
    "sched_getaffinity", "sched_setaffinity", "sched_getparam", "sched_setparam", "sched_getscheduler",
    "sched_setscheduler", "sched_get_priority_max", "sched_get_priority_min", "getpriority",
    "setpriority", "prlimit64", "getrlimit", "getrusage", "times", "sysinfo", "uname", "getrandom",
    "capget", "getpid", "getppid", "gettid", "getuid", "geteuid", "getgid", "getegid", "getresuid",
    "getresgid", "getgroups", "getsid", "getpgid", "getpgrp", "setsid", "getcpu",
    "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigtimedwait", "rt_sigsuspend",
    "rt_sigqueueinfo", "sigaltstack", "kill", "tgkill", "tkill", "restart_syscall",
    "clock_gettime", "clock_getres", "clock_nanosleep", "nanosleep", "gettimeofday", "time",
    "timerfd_create", "timerfd_settime", "timerfd_gettime", "eventfd", "eventfd2",
    "poll", "ppoll", "select", "pselect6", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_wait",
    "epoll_pwait", "epoll_pwait2",
    "socket", "socketpair", "connect", "accept", "accept4", "bind", "listen", "getsockname",
    "getpeername", "getsockopt", "setsockopt", "shutdown", "sendto", "recvfrom", "sendmsg", "recvmsg",
    "sendmmsg", "recvmmsg",
};

static void fail(const char *what)
{
    fprintf(stderr, "micro-sandbox: %s: %s\n", what, strerror(errno));
    exit(126);
}

static void isolate(uid_t uid, gid_t gid)
{
    if (unshare(CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET) != 0)
        fail("unshare");
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
        fail("making mounts private");
    for (int cap = 0; cap <= CAP_LAST_CAP; cap++) {
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL)
            fail("dropping the capability bounding set");
    }
    if (setgroups(0, NULL) != 0)
        fail("setgroups");
    if (setresgid(gid, gid, gid) != 0)
        fail("setresgid");
    if (setresuid(uid, uid, uid) != 0)
        fail("setresuid");
    struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    if (syscall(SYS_capset, &header, data) != 0)
        fail("capset");
}

static void filter(void)
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
    if (ctx == NULL) {
        errno = ENOMEM;
        fail("seccomp_init");
    }
    for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++) {
        int nr = seccomp_syscall_resolve_name(allowed[i]);
        if (nr == __NR_SCMP_ERROR)
            continue; /* not a system call on this architecture */
        int rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
        if (rc < 0) {
            errno = -rc;
            fail(allowed[i]);
        }
    }
    int rc = seccomp_load(ctx);
    if (rc < 0) {
        errno = -rc;
        fail("seccomp_load");
    }
    seccomp_release(ctx);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: micro-sandbox UID GID PROGRAM [ARGS...]\n");
        return 2;
    }
    char *end;
    unsigned long uid = strtoul(argv[1], &end, 10);
    if (*end != '\0' || uid == 0 || uid > 0xFFFFFFFEul) {
        fprintf(stderr, "micro-sandbox: bad uid '%s'\n", argv[1]);
        return 2;
    }
    unsigned long gid = strtoul(argv[2], &end, 10);
    if (*end != '\0' || gid == 0 || gid > 0xFFFFFFFEul) {
        fprintf(stderr, "micro-sandbox: bad gid '%s'\n", argv[2]);
        return 2;
    }
    if (geteuid() == 0)
        isolate((uid_t)uid, (gid_t)gid);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        fail("no_new_privs");
    filter();
    execvp(argv[3], argv + 3);
    fail(argv[3]);
    return 126;
}
