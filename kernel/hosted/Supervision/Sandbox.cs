namespace Micro.Kernel.Supervision;

/// <summary>
/// The least-privilege wrapper around a service's command line. When the core runs as root the
/// service gets private IPC, UTS and network namespaces (unshare), then its own uid/gid with no
/// supplementary groups, no capabilities and no_new_privs (setpriv) before its program starts. Both
/// tools exec in place, so the pid the core sees is the service's.
/// </summary>
public static partial class Sandbox
{
    public static bool IsRoot => GetEuid() == 0;

    public static (string FileName, List<string> Args) Wrap(string program, IEnumerable<string> args, uint uid, uint gid)
    {
        if (!IsRoot)
            return (program, [.. args]); // nothing to drop: already unprivileged
        var wrapped = new List<string>
        {
            "--ipc", "--uts", "--net", "--",
            "setpriv", $"--reuid={uid}", $"--regid={gid}", "--clear-groups", "--no-new-privs",
            "--inh-caps=-all", "--bounding-set=-all", "--",
            program,
        };
        wrapped.AddRange(args);
        return ("unshare", wrapped);
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEuid();
}
