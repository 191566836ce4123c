using Microsoft.Win32.SafeHandles;

namespace Micro.Toolstack.Daemon;

/// <summary>Closes fds that came with a reply and are not wanted (a peer may attach any).</summary>
public static class ReceivedFds
{
    public static void Close(IEnumerable<int> fds)
    {
        foreach (int fd in fds)
            new SafeFileHandle(fd, ownsHandle: true).Dispose();
    }
}
