using Micro.Guests.Tests;
using Micro.Kernel.Domains;
using Micro.Testing;

namespace Micro.Kernel.Tests;

public sealed class GuestLifecycleTests
{
    [KvmFact]
    public void Hello_guest_console_output_reaches_the_domain_log_and_poweroff_ends_it()
    {
        using var runner = new GuestRunner();
        var d = runner.Run(HelloGuest.Build());
        Assert.True(d.Console.Text.Contains("SUCCESS", StringComparison.Ordinal), runner.Describe(d));
        Assert.Contains("Hello from a Micro test guest\n", d.Console.Text, StringComparison.Ordinal);
        Assert.Contains("Test result: SUCCESS", d.Console.Text, StringComparison.Ordinal);
        Assert.Equal(ShutdownReason.Poweroff, d.Reason);
        Assert.NotEqual(0UL, d.HypercallPageGpa);
    }

    [KvmFact]
    public void A_guest_that_triple_faults_is_reported_as_crashed()
    {
        using var runner = new GuestRunner();
        var d = runner.Run(TripleFaultGuest.Build());
        Assert.Contains("about to triple fault", d.Console.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("FAILURE", d.Console.Text, StringComparison.Ordinal);
        Assert.Equal(ShutdownReason.Crash, d.Reason);
        Assert.True(runner.Log.Contains("triple fault"), string.Join('\n', runner.Log.Lines));
    }
}
