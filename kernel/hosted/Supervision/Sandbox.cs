using System.Diagnostics;
using System.Security.Cryptography;

namespace Micro.Kernel.Supervision;

/// <summary>
/// The least-privilege wrapper around a service's command line: <c>micro-sandbox</c> (sandbox.c, built
/// here with gcc and libseccomp on first use) gives the service private mount, IPC, UTS and network
/// namespaces, its own uid/gid with no groups and no capabilities, no_new_privs
/// and a seccomp allowlist, then execs it in place, so the pid the core sees is the service's.
/// </summary>
public static partial class Sandbox
{
    private static readonly Lock BuildLock = new();
    private static string? _launcher;

    public static bool IsRoot => GetEuid() == 0;

    public static (string FileName, List<string> Args) Wrap(string program, IEnumerable<string> args, uint uid, uint gid)
    {
        var wrapped = new List<string> { uid.ToString(System.Globalization.CultureInfo.InvariantCulture), gid.ToString(System.Globalization.CultureInfo.InvariantCulture), program };
        wrapped.AddRange(args);
        return (Launcher(), wrapped);
    }

    /// <summary>The launcher binary for this source, built once (named by the source's hash, so an edit rebuilds it).</summary>
    public static string Launcher()
    {
        lock (BuildLock)
        {
            if (_launcher is not null)
                return _launcher;
            using var source = typeof(Sandbox).Assembly.GetManifestResourceStream("micro-sandbox.c")
                ?? throw new InvalidOperationException("the sandbox source is not embedded in this build");
            byte[] text = new byte[source.Length];
            source.ReadExactly(text);
            string hash = Convert.ToHexString(SHA256.HashData(text))[..12].ToLowerInvariant();
            // Next to this assembly, not in /tmp: root execs it, so only root may be able to replace it.
            string dir = Path.Combine(AppContext.BaseDirectory, "sandbox");
            string binary = Path.Combine(dir, $"micro-sandbox-{hash}");
            if (!File.Exists(binary))
                Build(dir, binary, text);
            _launcher = binary;
            return binary;
        }
    }

    private static void Build(string dir, string binary, byte[] text)
    {
        Directory.CreateDirectory(dir);
        string src = Path.Combine(dir, $"sandbox-{Environment.ProcessId}.c");
        string tmp = binary + $".{Environment.ProcessId}.tmp";
        File.WriteAllBytes(src, text);
        try
        {
            var psi = new ProcessStartInfo("gcc") { RedirectStandardError = true, UseShellExecute = false };
            foreach (string a in new[] { "-O2", "-Wall", "-Werror", "-o", tmp, src, "-l:libseccomp.a" })
                psi.ArgumentList.Add(a);
            using var gcc = Process.Start(psi) ?? throw new InvalidOperationException("gcc did not start");
            string errors = gcc.StandardError.ReadToEnd();
            if (!gcc.WaitForExit(60_000))
            {
                gcc.Kill();
                throw new InvalidOperationException("building micro-sandbox: gcc did not finish within 60 s");
            }
            if (gcc.ExitCode != 0)
                throw new InvalidOperationException($"building micro-sandbox failed (gcc and libseccomp-dev are needed): {errors}");
            File.Move(tmp, binary, overwrite: true); // atomic: another process may be building the same
        }
        finally
        {
            File.Delete(src);
            File.Delete(tmp);
        }
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEuid();
}
