using Micro.Testing;

namespace Micro.BareMetal.Tests;

/// <summary>
/// The bare-metal image, built once per test run by kernel/baremetal/micro-baremetal, and boots of it
/// under QEMU through the same script (`./micro baremetal run`), whose exit status carries the kernel's
/// isa-debug-exit report: 0 success, 1 failure.
/// </summary>
public static class BareMetalImage
{
    private static readonly Lazy<string> Built = new(Build, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string Script => Path.Combine(Requirements.RepoRoot(), "kernel", "baremetal", "micro-baremetal");

    /// <summary>
    /// Builds the image (once) and returns this test run's own copy of kernel.elf, kernel.bin and
    /// micro.iso: a build started elsewhere meanwhile (another test run, the benchmark) replaces the
    /// shared files, never these, so every boot and every symbol lookup here sees the same build.
    /// </summary>
    public static string Folder => Built.Value;

    private static string Build()
    {
        string copy = Directory.CreateTempSubdirectory("micro-baremetal-image-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(copy, recursive: true);
        using var build = new ChildProcess("bash", [Script, "build", "--copy-to", copy]);
        int rc = build.WaitForExit(TimeSpan.FromMinutes(10));
        Assert.True(rc == 0, $"micro-baremetal build failed ({rc})\n{build.Stdout}\n{build.Stderr}");
        return copy;
    }

    /// <summary>
    /// Boots the image and returns the run's exit status and everything the serial port printed. The
    /// time limits are far above a boot's usual length (about a second with -kernel, ten through GRUB
    /// on UEFI): CI runs test projects side by side on two cores, and TCG slows down with them.
    /// </summary>
    public static (int ExitCode, string Serial) Boot(string? cmdline = null, string mode = "kernel", int? timeoutSeconds = null)
    {
        Requirements.Qemu();
        int timeout = timeoutSeconds ?? (mode == "kernel" ? 180 : 400);
        var args = new List<string> { Script, "run", "--image", Folder, "--timeout", timeout.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (mode == "iso")
            args.Add("--iso");
        else if (mode == "uefi")
            args.Add("--uefi");
        if (cmdline is not null)
            args.AddRange(["--cmdline", cmdline]);
        using var qemu = new ChildProcess("bash", args);
        int rc = qemu.WaitForExit(TimeSpan.FromSeconds(timeout + 30));
        Assert.True(rc is 0 or 1, $"QEMU run ended with {rc} (124 = timeout)\nserial:\n{qemu.Stdout}\nstderr:\n{qemu.Stderr}");
        return (rc, qemu.Stdout);
    }
}
