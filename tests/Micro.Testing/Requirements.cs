namespace Micro.Testing;

/// <summary>Checks for what a test needs from the machine, failing with the reason when it is missing.</summary>
public static class Requirements
{
    public static void Kvm()
    {
        if (!File.Exists("/dev/kvm"))
            throw new InvalidOperationException("/dev/kvm is missing: this test needs KVM (set MICRO_SKIP_KVM=1 to skip such tests)");
    }

    public static string Qemu() => Tool("qemu-system-x86_64", "MICRO_SKIP_QEMU=1");

    /// <summary>The full path of a program on PATH, or a failure that names the missing program.</summary>
    public static string Tool(string name, string? optOut = null)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':'))
        {
            string path = Path.Combine(dir, name);
            if (File.Exists(path))
                return path;
        }
        throw new InvalidOperationException($"{name} is not installed (run ci/setup)" + (optOut is null ? "" : $"; set {optOut} to skip such tests"));
    }

    /// <summary>The repository root, found from the test's working directory.</summary>
    public static string RepoRoot()
    {
        for (string? dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (File.Exists(Path.Combine(dir, "Micro.sln")))
                return dir;
        }
        throw new InvalidOperationException("Micro.sln not found above " + AppContext.BaseDirectory);
    }
}
