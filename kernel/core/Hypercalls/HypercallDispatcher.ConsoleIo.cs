using Micro.Core.Domains;

namespace Micro.Core.Hypercalls;

/// <summary>console_io(cmd, count, buffer): writes go to the domain's console sink.</summary>
public sealed unsafe partial class HypercallDispatcher
{
    private long ConsoleIo(Domain caller, ulong cmd, ulong count, ulong buffer)
    {
        switch (SubOp(cmd))
        {
            case ConsoleIoAbi.CONSOLEIO_write:
                {
                    if (count > ConsoleIoAbi.MaxWrite)
                        return -Errno.EINVAL;
                    // Check the whole buffer first, so that a bad pointer prints nothing.
                    for (ulong done = 0; done < count; done += ConsoleIoAbi.Chunk)
                    {
                        uint n = (uint)(count - done < ConsoleIoAbi.Chunk ? count - done : ConsoleIoAbi.Chunk);
                        if (caller.Memory.Translate(buffer + done, n) == null)
                            return -Errno.EFAULT;
                    }
                    for (ulong done = 0; done < count; done += ConsoleIoAbi.Chunk)
                    {
                        uint n = (uint)(count - done < ConsoleIoAbi.Chunk ? count - done : ConsoleIoAbi.Chunk);
                        caller.Substrate.ConsoleWrite(caller.Memory.Translate(buffer + done, n), (int)n);
                    }
                    return 0;
                }
            case ConsoleIoAbi.CONSOLEIO_read:
                // Reading the hypervisor console is for privileged domains in Xen; here nobody has it.
                log.Write(LogLevel.Refusal, "console_io read", caller.Id, 0, 0);
                return -Errno.EPERM;
            default:
                return UnknownSubOp(caller, "unknown console_io", cmd);
        }
    }
}
