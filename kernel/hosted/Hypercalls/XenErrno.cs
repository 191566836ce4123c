namespace Micro.Kernel.Hypercalls;

/// <summary>The Xen errno values hypercalls return (negated), as in xen/include/public/errno.h.</summary>
public static class XenErrno
{
    public const int EPERM = 1, ENOENT = 2, ESRCH = 3, EFAULT = 14, EBUSY = 16, EEXIST = 17, EINVAL = 22, ENOSPC = 28, ENOSYS = 38;
}
