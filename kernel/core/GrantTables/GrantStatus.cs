namespace Micro.Core.GrantTables;

/// <summary>GNTST_* status codes of grant-table operations (xen/include/public/grant_table.h).</summary>
public static class GrantStatus
{
    public const short okay = 0;
    public const short general_error = -1;
    public const short bad_domain = -2;
    public const short bad_gntref = -3;
    public const short bad_handle = -4;
    public const short bad_virt_addr = -5;
    public const short bad_dev_addr = -6;
    public const short no_device_space = -7;
    public const short permission_denied = -8;
    public const short bad_page = -9;
    public const short bad_copy_arg = -10;
    public const short address_too_big = -11;
    public const short eagain = -12;
    public const short no_space = -13;

    /// <summary>The errno a service request reports for a GNTST status.</summary>
    public static int ToErrno(int status)
    {
        switch (status)
        {
            case okay: return 0;
            case bad_domain: return -Errno.ESRCH;
            case bad_gntref: return -Errno.EINVAL;
            case bad_handle: return -Errno.EINVAL;
            case permission_denied: return -Errno.EPERM;
            case no_device_space: return -Errno.ENOSPC;
            case no_space: return -Errno.ENOSPC;
            case eagain: return -Errno.EAGAIN;
            case bad_page: return -Errno.EFAULT;
            default: return -Errno.EACCES;
        }
    }
}
