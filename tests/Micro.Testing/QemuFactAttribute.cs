using Xunit;

namespace Micro.Testing;

/// <summary>
/// A test that needs qemu-system-x86_64. Without it the test fails with the reason (the test should
/// call <see cref="Requirements.Qemu"/>), unless MICRO_SKIP_QEMU=1 turns it into a skip.
/// </summary>
public sealed class QemuFactAttribute : FactAttribute
{
    public QemuFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("MICRO_SKIP_QEMU") == "1")
            Skip = "MICRO_SKIP_QEMU=1: tests that need QEMU are skipped";
    }
}
