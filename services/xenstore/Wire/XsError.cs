namespace Micro.XenStore.Wire;

/// <summary>
/// The errors xenstored puts on the wire (xs_wire.h's xsd_errors): an XS_ERROR reply whose payload is
/// the errno name and a NUL. Handlers return one of these, or <see cref="None"/> on success.
/// </summary>
public enum XsError
{
    None = 0,
    EINVAL,
    EACCES,
    EEXIST,
    EISDIR,
    ENOENT,
    ENOMEM,
    ENOSPC,
    EIO,
    ENOTEMPTY,
    ENOSYS,
    EROFS,
    EBUSY,
    EAGAIN,
    EISCONN,
    E2BIG,
    EPERM,
}
