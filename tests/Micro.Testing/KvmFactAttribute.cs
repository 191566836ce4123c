using Xunit;

namespace Micro.Testing;

/// <summary>
/// A test that needs /dev/kvm. Without it the test fails with the reason (the test should call
/// <see cref="Requirements.Kvm"/>), unless MICRO_SKIP_KVM=1 turns it into a skip.
/// </summary>
public sealed class KvmFactAttribute : FactAttribute
{
    public KvmFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("MICRO_SKIP_KVM") == "1")
            Skip = "MICRO_SKIP_KVM=1: tests that need /dev/kvm are skipped";
    }
}
